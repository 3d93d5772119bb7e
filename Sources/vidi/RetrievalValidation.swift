import VidiRetrieval
import VidiTensor
import VidiTraining

/// R@1/5/10, MdR, MnR over a whole validation split for `vidi train retrieval` (the Trainer's
/// `splitEvaluation`): every caption of every clip is a query (`MultiCaptionMetrics`), scored with the
/// model's interaction against every clip of the split, unscaled, as DRL evaluates.
final class RetrievalValidation {
    let model: DRLModel
    let interaction: Interaction
    let encode: (Batch) throws -> (text: TokenFeatures, video: TokenFeatures, videoOfText: [Int])
    private var texts: [TokenFeatures] = []
    private var videos: [TokenFeatures] = []
    private var videoOfText: [Int] = []
    private var videoCount = 0

    /// `encode` turns a batch into its captions' token features, its clips' frame features and, per
    /// caption, the clip (0-based within the batch) it describes.
    init(model: DRLModel, interaction: Interaction, encode: @escaping (Batch) throws -> (text: TokenFeatures, video: TokenFeatures, videoOfText: [Int])) {
        self.model = model
        self.interaction = interaction
        self.encode = encode
    }

    var splitEvaluation: SplitEvaluation {
        SplitEvaluation(begin: { [unowned self] in
            texts = []; videos = []; videoOfText = []; videoCount = 0
        }, add: { [unowned self] batch in
            let (text, video, map) = try encode(batch)
            texts.append(text)
            videos.append(try model.aggregate(video))
            videoOfText += map.map { $0 + videoCount }
            videoCount += video.batch
        }, finish: { [unowned self] in try metrics() })
    }

    private func metrics() throws -> [String: Double] {
        guard !videos.isEmpty else { return [:] }
        let video = try TokenFeatures(Tensor.concatenate(videos.map(\.features), axis: 0), mask: Tensor.concatenate(videos.map(\.mask), axis: 0))
        // At most 64 captions at a time keeps the [texts, videos, tokens, frames] interaction small.
        var sim: [Float] = []
        for text in texts {
            for start in stride(from: 0, to: text.batch, by: 64) {
                let n = min(64, text.batch - start)
                let part = try TokenFeatures(text.features.narrowed(axis: 0, start: start, length: n),
                                             mask: text.mask.narrowed(axis: 0, start: start, length: n))
                sim += try model.similarity(text: part, video: video, interaction: interaction).similarity.contiguous().scalars
            }
        }
        let (t2v, v2t) = try MultiCaptionMetrics.both(similarity: sim, texts: videoOfText.count, videos: videoCount, videoOfText: videoOfText)
        var out: [String: Double] = [:]
        for (prefix, m) in [("t2v", t2v), ("v2t", v2t)] {
            out[prefix + "_R@1"] = m.r1; out[prefix + "_R@5"] = m.r5; out[prefix + "_R@10"] = m.r10
            out[prefix + "_MdR"] = m.medianRank; out[prefix + "_MnR"] = m.meanRank
        }
        return out
    }
}
