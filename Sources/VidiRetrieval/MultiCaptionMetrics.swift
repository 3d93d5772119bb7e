/// Metrics when videos have several captions (MSR-VTT's full test, MSVD, DiDeMo sentences), as DRL and
/// CLIP4Clip evaluate them with `multi_sentence` (`tensor_text_to_video_metrics`,
/// `tensor_video_to_text_sim`):
/// - text-to-video: every caption is a query; its rank is the position of its own video among all videos;
/// - video-to-text: a video scores each *video's caption group* by the best of that group's captions
///   (max over sentences), and its rank is the position of its own group among all groups.
/// Ties count at every tied position and the median is numpy's (the mean of the middle two), as in
/// `RetrievalMetrics`; CLIP4Clip's tensor path breaks ties by argsort and takes `torch.median`'s lower
/// middle, which only differs on exact ties or an even count of ranks.
public enum MultiCaptionMetrics {
    /// `sim` `[texts, videos]`; `videoOfText[i]` is the video text `i` describes. Every video needs at
    /// least one caption (video-to-text ranks caption groups).
    public static func both(similarity sim: [Float], texts: Int, videos: Int,
                            videoOfText: [Int]) throws -> (t2v: RetrievalMetrics, v2t: RetrievalMetrics) {
        guard texts > 0, videos > 0, sim.count == texts * videos else {
            throw RetrievalError.shape("similarity of \(sim.count) values is not \(texts) x \(videos)")
        }
        guard videoOfText.count == texts else {
            throw RetrievalError.shape("the text-to-video map has \(videoOfText.count) entries for \(texts) texts")
        }
        if let bad = videoOfText.firstIndex(where: { !(0..<videos).contains($0) }) {
            throw RetrievalError.invalidArgument("text \(bad) maps to video \(videoOfText[bad]), outside 0..<\(videos)")
        }
        var captioned = [Bool](repeating: false, count: videos)
        for v in videoOfText { captioned[v] = true }
        if let lonely = captioned.firstIndex(of: false) {
            throw RetrievalError.invalidArgument("video \(lonely) has no caption; video-to-text needs at least one per video")
        }
        // Text-to-video: move each text's own video to column 0 of a [texts, videos] matrix, so the
        // diagonal rule of `RetrievalMetrics` applies row by row.
        var t2vRows = [Float](repeating: 0, count: texts * videos)
        for i in 0..<texts {
            let own = videoOfText[i]
            var out = i * videos
            t2vRows[out] = sim[i * videos + own]
            out += 1
            for j in 0..<videos where j != own { t2vRows[out] = sim[i * videos + j]; out += 1 }
        }
        let t2v = try RetrievalMetrics(firstColumnMatches: t2vRows, rows: texts, columns: videos)
        // Video-to-text: group[v, g] = max over captions of video g of sim(caption, v).
        var group = [Float](repeating: -.infinity, count: videos * videos)
        for i in 0..<texts {
            let g = videoOfText[i]
            for v in 0..<videos {
                let x = sim[i * videos + v]
                // CLIP4Clip turns NaN into -inf before the max.
                if !x.isNaN, x > group[v * videos + g] { group[v * videos + g] = x }
            }
        }
        let v2t = try RetrievalMetrics(similarity: group, rows: videos, columns: videos)
        return (t2v, v2t)
    }

    /// The text-to-video map of MSR-VTT-layout captions: every caption of every video, in video order.
    public static func captionList(_ data: CaptionedVideos) -> (captions: [String], videoOfText: [Int]) {
        var captions: [String] = [], map: [Int] = []
        for (v, id) in data.videoIds.enumerated() {
            for caption in data.captions[id] ?? [] { captions.append(caption); map.append(v) }
        }
        return (captions, map)
    }
}

extension RetrievalMetrics {
    /// Row `i`'s match sits in column 0 (the rows of `MultiCaptionMetrics`' text-to-video matrix).
    init(firstColumnMatches sim: [Float], rows: Int, columns: Int) throws {
        // Swapping column 0 with column i in row i puts every match on the diagonal; ranks only count
        // values, so column order does not matter otherwise. Pad with NaN columns when rows > columns.
        let width = max(rows, columns)
        var square = [Float](repeating: .nan, count: rows * width)
        for i in 0..<rows {
            for j in 0..<columns { square[i * width + j] = sim[i * columns + j] }
            square.swapAt(i * width, i * width + i)
        }
        try self.init(similarity: square, rows: rows, columns: width)
    }
}
