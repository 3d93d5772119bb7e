import VidiNN
import VidiTensor

/// One training step of either head on a batch of grid videos (Adam). A narrow seam: the shared training
/// runtime (`VidiTraining`) will drive `loss(_:)` and own the optimizer, checkpoints and resume.
public final class LocalizationTrainer {
    public let model: LocalizationModel
    public let optimizer: Adam
    /// RCL training queries per video.
    public var queriesPerVideo = 96
    /// RCL query sampling (the ablation switches it to `.uniform`).
    public var scaleInvariantSampling = true
    var generator: RandomGenerator

    public init(model: LocalizationModel, learningRate: Float = 1e-3, seed: UInt64) throws {
        self.model = model
        optimizer = try Adam(model.parameters, learningRate: learningRate)
        generator = RandomGenerator(seed: seed)
    }

    /// The loss of one batch (differentiable).
    public func loss(_ videos: [GridVideo]) throws -> Tensor {
        switch model.configuration.head {
        case .boundaryMatching: return try BMN.loss(model, videos, generator: &generator)
        case .continuous:
            return try RCL.loss(model, videos, queries: queriesPerVideo, sampling: scaleInvariantSampling ? .scaleInvariant : .uniform,
                                generator: &generator)
        }
    }

    /// Forward, backward and an Adam step; returns the loss.
    @discardableResult
    public func step(_ videos: [GridVideo]) throws -> Float {
        model.train()
        optimizer.zeroGrad()
        let value = try loss(videos)
        try value.backward()
        try optimizer.step()
        return try value.item()
    }
}
