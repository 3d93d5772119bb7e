import VidiTensor

/// One video as an index stores it: its valid frames L2-normalised `[count, D]` and their video weights
/// (WTI: the softmax of `video_weight_fc` over the frames; TI: `1/count`).
public struct IndexedVideo: Sendable, Equatable {
    public var id: String
    public var features: [Float]
    public var weights: [Float]

    public init(id: String, features: [Float], weights: [Float]) throws {
        guard !weights.isEmpty, features.count % weights.count == 0, !features.isEmpty else {
            throw RetrievalError.shape("video \(id): \(features.count) values for \(weights.count) frames")
        }
        self.id = id; self.features = features; self.weights = weights
    }

    public var frameCount: Int { weights.count }
    public var dimension: Int { features.count / weights.count }

    /// From unnormalised frame features `[F, D]` (CLIP's projected image features): the model's temporal
    /// aggregator, its WTI weights (or TI's uniform ones), then L2 normalisation, as DRL scores videos.
    public static func make(id: String, frames: Tensor, model: DRLModel?, interaction: Interaction) throws -> IndexedVideo {
        guard frames.rank == 2, frames.shape[0] > 0 else { throw RetrievalError.shape("video \(id): frame features \(frames.shape) are not [F, D]") }
        let video = try TokenFeatures(frames.unsqueezed(axis: 0), name: "video \(id)")
        let prepared = try FeatureScoring.prepareVideos(video, model: model, interaction: interaction)
        return try IndexedVideo(id: id, features: prepared.features, weights: prepared.weights)
    }

    /// The normalised weighted mean of the frames: the one vector per video that candidate search uses.
    public var pooled: [Float] {
        IndexedVideo.pool(features, weights: weights, dimension: dimension)
    }

    public static func pool(_ features: [Float], weights: [Float], dimension d: Int) -> [Float] {
        var mean = [Float](repeating: 0, count: d)
        for (j, w) in weights.enumerated() { for k in 0..<d { mean[k] += w * features[j * d + k] } }
        let norm = mean.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? mean.map { $0 / norm } : mean
    }
}
