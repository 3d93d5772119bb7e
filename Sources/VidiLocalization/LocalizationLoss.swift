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
    /// RCL: span queries (from one action to another) in scale-invariant sampling; none by default (RCL.md).
    public var spanQueries = SpanQueries.none
    /// RCL: uniform (start, end) queries per video added to the scale-invariant ones (RCL.md, "Query mixture").
    public var uniformQueries = 0
    /// RCL: every other fragment query shares one boundary with its action (RCL.md, "Query mixture").
    public var anchoredParts = false

    public init(model: LocalizationModel) { self.model = model }

    /// The loss of one batch (differentiable); all randomness comes from `generator`.
    public func callAsFunction(_ videos: [GridVideo], generator: inout RandomGenerator) throws -> Tensor {
        switch model.configuration.head {
        case .boundaryMatching: return try BMN.loss(model, videos, generator: &generator)
        case .continuous:
            return try RCL.loss(model, videos, queries: queriesPerVideo, sampling: scaleInvariantSampling ? .scaleInvariant : .uniform,
                                spans: spanQueries, uniformExtra: uniformQueries, anchoredParts: anchoredParts, generator: &generator)
        }
    }
}
