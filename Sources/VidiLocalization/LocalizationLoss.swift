import VidiNN
import VidiTensor

/// The training loss of either head on a batch of grid videos. The shared training runtime
/// (`VidiTraining.Trainer`, driven by `vidi train localize`) owns the optimizer, the generator, checkpoints
/// and resume; this type only says what the loss is.
public struct LocalizationLoss {
    public let model: LocalizationModel
    /// RCL training queries per video.
    public var queriesPerVideo = 96
    /// RCL query sampling (the ablation switches it to `.uniform`).
    public var scaleInvariantSampling = true
    /// RCL: where the 1/8 of scale-invariant queries that span from one action to another come from.
    public var spanQueries = SpanQueries.fromTruth

    public init(model: LocalizationModel) { self.model = model }

    /// The loss of one batch (differentiable); all randomness comes from `generator`.
    public func callAsFunction(_ videos: [GridVideo], generator: inout RandomGenerator) throws -> Tensor {
        switch model.configuration.head {
        case .boundaryMatching: return try BMN.loss(model, videos, generator: &generator)
        case .continuous:
            return try RCL.loss(model, videos, queries: queriesPerVideo, sampling: scaleInvariantSampling ? .scaleInvariant : .uniform,
                                spans: spanQueries, generator: &generator)
        }
    }
}
