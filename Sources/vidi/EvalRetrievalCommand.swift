import ArgumentParser
import Foundation
import VidiFormats
import VidiRetrieval
import VidiTensor

/// `vidi eval retrieval`: R@1/5/10, MdR, MnR for text-to-video and video-to-text.
struct EvalRetrievalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieval",
        abstract: "Text-video retrieval metrics (R@1/5/10, MdR, MnR) from a similarity matrix or from features.",
        discussion: """
            Pair i of the texts matches video i. Metrics are DRL's / CLIP4Clip's (`compute_metrics`): R@K in \
            percent, 1-based median and mean rank, ties counted at every tied position; video-to-text ranks \
            the transposed matrix.

            Several captions per video (MSR-VTT's 20, MSVD, ...): --text-video-map M gives the video of every \
            text, so the matrix is texts x videos; with --annotations, --all-captions evaluates every caption. \
            This is DRL's / CLIP4Clip's multi_sentence protocol: text-to-video ranks each text's own video \
            among all videos; video-to-text scores a video against each video's caption group by the best \
            caption of the group (max over its sentences) and ranks the video's own group. M is an integer \
            .npy [texts], a JSON array of video indices, or MSR-VTT JSON (texts: every sentence, grouped in \
            the order of "videos"; videos: that order).

            From a matrix:   vidi eval retrieval --sim S.npy
            From features:   vidi eval retrieval --text-features T.npy [--text-mask TM.npy] \
            --video-features V.npy [--video-mask VM.npy] --weights W.safetensors [--interaction wti|ti] \
            [--save-sim S.npy]

            T.npy is N x N_t x D (CLIP's projected token features), V.npy N x N_v x D (projected frame \
            features). W.safetensors holds DRL's keys (text_weight_fc.*, video_weight_fc.*, and when \
            present frame_position_embeddings / transformerClip.*, which are applied to the video features \
            as DRL's seqTransf does). S.npy is the texts x videos similarity before any logit scale.
            --json prints {"t2v": {"R@1", "R@5", "R@10", "MdR", "MnR"}, "v2t": {...}}.
            """)

    @Option(help: "Similarity matrix (texts x videos), .npy.")
    var sim: String?
    @Option(name: .customLong("text-features"), help: "Text token features N x N_t x D, .npy.")
    var textFeatures: String?
    @Option(name: .customLong("text-mask"), help: "Text mask N x N_t (1 = token), .npy; default all valid.")
    var textMask: String?
    @Option(name: .customLong("video-features"), help: "Video frame features N x N_v x D, .npy.")
    var videoFeatures: String?
    @Option(name: .customLong("video-mask"), help: "Video mask N x N_v (1 = frame), .npy; default all valid.")
    var videoMask: String?
    @Option(help: "Weights with DRL key names (.safetensors); required for WTI.")
    var weights: String?
    @Option(help: "wti (weighted token-wise), ti (unweighted), or mean (mean pooling; with --videos only).")
    var interaction: String = "wti"
    @Option(help: "MSR-VTT-layout captions (.json): evaluate a model (--weights) on raw videos; each video's first caption.")
    var annotations: String?
    @Option(help: "Folder of the videos named by video_id (with --annotations).")
    var videos: String?
    @Option(help: "Frames per video at most (with --videos).")
    var frames = 12
    @Option(name: .customLong("text-video-map"), help: "Video index of every text (.npy, JSON array, or MSR-VTT JSON): texts x videos need not be square.")
    var textVideoMap: String?
    @Flag(name: .customLong("all-captions"), help: "With --annotations: every caption of every video is a query (multi-caption protocol).")
    var allCaptions = false
    @Option(name: .customLong("save-sim"), help: "Write the similarity matrix computed from features here (.npy).")
    var saveSim: String?
    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        let sources = [sim != nil, textFeatures != nil || videoFeatures != nil, annotations != nil || videos != nil].filter { $0 }.count
        guard sources == 1 else {
            throw ValidationError("give one of --sim, --text-features with --video-features, --annotations with --videos")
        }
        if textFeatures != nil || videoFeatures != nil, textFeatures == nil || videoFeatures == nil {
            throw ValidationError("--text-features and --video-features go together")
        }
        if allCaptions, annotations == nil { throw ValidationError("--all-captions goes with --annotations") }
        if allCaptions, textVideoMap != nil { throw ValidationError("--all-captions makes its own map; drop --text-video-map") }
        if annotations != nil || videos != nil, annotations == nil || videos == nil || weights == nil {
            throw ValidationError("--annotations, --videos and --weights go together")
        }
        guard RetrievalEvaluation.Scoring(rawValue: interaction) != nil, interaction != "mean" || annotations != nil else {
            throw ValidationError("--interaction must be wti or ti (or mean with --videos)")
        }
    }

    func run() throws {
        try RetrievalCommand.run("eval retrieval") {
            let (matrix, texts, videos, captionMap) = try similarity()
            let map = try captionMap ?? textVideoMap.map { try TextVideoMap.read(path: $0) }
            let (t2v, v2t) = try map.map { try MultiCaptionMetrics.both(similarity: matrix, texts: texts, videos: videos, videoOfText: $0) }
                ?? RetrievalMetrics.both(similarity: matrix, texts: texts, videos: videos)
            if json {
                func obj(_ m: RetrievalMetrics) -> JSONValue {
                    .object(["R@1": .double(m.r1), "R@5": .double(m.r5), "R@10": .double(m.r10),
                             "MdR": .double(m.medianRank), "MnR": .double(m.meanRank)])
                }
                try JSONOutput.print(JSONValue.object(["t2v": obj(t2v), "v2t": obj(v2t)]))
            } else {
                for (name, m) in [("text-to-video", t2v), ("video-to-text", v2t)] {
                    MediaCommand.printLine(String(format: "%@: R@1 %.1f  R@5 %.1f  R@10 %.1f  MdR %.1f  MnR %.1f",
                                                  name, m.r1, m.r5, m.r10, m.medianRank, m.meanRank))
                }
            }
        }
    }

    /// The texts x videos matrix, and the text-to-video map when every caption was scored.
    func similarity() throws -> ([Float], Int, Int, [Int]?) {
        if let sim {
            let m = try Tensor.readNPY(path: sim).to(.float32)
            guard m.rank == 2, m.shape[0] == m.shape[1] || textVideoMap != nil else {
                throw RetrievalError.shape("\(sim): the similarity must be square N x N (pair i matches) unless --text-video-map is given, got \(m.shape)")
            }
            return (m.scalars, m.shape[0], m.shape[1], nil)
        }
        if let annotations, let videos, let weights {
            let data = try CaptionedVideos(path: annotations)
            let model = try RetrievalModel(path: weights)
            let resolution = try model.resolution
            let (all, map) = MultiCaptionMetrics.captionList(data)
            let captions = allCaptions ? all : data.videoIds.map { data.captions[$0]?.first ?? "" }
            let features = try data.videoIds.map { id in
                try model.encoder.encodeImages(MediaInput.videoFrames(path: CaptionedVideos.videoPath(id, in: videos), resolution: resolution,
                                                                      maxFrames: frames).0)
            }
            let matrix = try RetrievalEvaluation.similarity(model: model, captions: captions, frames: features, slots: frames,
                                                            scoring: RetrievalEvaluation.Scoring(rawValue: interaction) ?? .wti)
            if let saveSim { try Tensor(matrix, shape: [captions.count, features.count]).writeNPY(to: saveSim) }
            return (matrix, captions.count, features.count, allCaptions ? map : nil)
        }
        guard let textFeatures, let videoFeatures else { throw ValidationError("missing features") }
        let text = try TokenFeatures(Tensor.readNPY(path: textFeatures).to(.float32),
                                     mask: textMask.map { try Tensor.readNPY(path: $0) }, name: textFeatures)
        let video = try TokenFeatures(Tensor.readNPY(path: videoFeatures).to(.float32),
                                      mask: videoMask.map { try Tensor.readNPY(path: $0) }, name: videoFeatures)
        guard text.batch == video.batch || textVideoMap != nil else {
            throw RetrievalError.shape("\(text.batch) texts and \(video.batch) videos: pair i of the texts matches video i (or give --text-video-map)")
        }
        let model = try weights.map { try DRLModel.load(path: $0) }
        let kind = Interaction(rawValue: interaction) ?? .wti
        let matrix = try FeatureScoring.similarity(text: text, video: video, model: model, interaction: kind)
        if let saveSim { try Tensor(matrix, shape: [text.batch, video.batch]).writeNPY(to: saveSim) }
        return (matrix, text.batch, video.batch, nil)
    }
}
