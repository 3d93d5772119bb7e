// CMD's training model, reduced for CPU runs (reference/pretext.md; Huang et al., "Self-supervised Video
// Representation Learning by Context and Motion Decoupling", CVPR 2021). Kept: the clip encoder (a
// PretextBackbone), a 3-D motion encoder for the motion-vector maps, a 2-D keyframe encoder (a
// one-frame PretextBackbone), heads of the form Linear -> BN -> ReLU -> Linear per position, and the two
// losses (dense motion InfoNCE + clip-keyframe context InfoNCE, tau 0.1, summed). Replaced: the official
// transformer that predicts future motion features (2 encoder, 4 decoder layers, 49 queries) becomes a
// per-position MLP on the clip's last feature map, and the official R(2+1)D-26 / 3D ResNet-10 / 2D
// ResNet-10 become the `tiny` backbones and a two-layer motion encoder.
//
// Two options that are not in the reference (`CMDObjective`; the defaults are the reference's objective):
// a weight on the context loss, and the positive's own maps with every vector negated as one more negative
// per sample. The reference's negatives come from other times of the same video, where the moving content
// usually sits elsewhere, so a prediction can tell them apart by *where* there is motion without knowing
// *which way* it goes; the negated positive holds motion at the same places in the opposite direction, so
// only the direction separates it (BENCHMARKS.md "Pretext linear probe", CMD diagnosis).
import VidiNN
import VidiTensor

/// How CMD's two losses are combined, and which negatives the motion loss sees.
public struct CMDObjective: Sendable, Equatable {
    /// total = motion + contextWeight x context (reference: 1). 0 skips the keyframe branch.
    public var contextWeight: Float
    /// Adds the positive's maps with every vector negated to each sample's negatives (reference: false).
    public var reversedNegatives: Bool

    public init(contextWeight: Float = 1, reversedNegatives: Bool = false) {
        self.contextWeight = contextWeight
        self.reversedNegatives = reversedNegatives
    }
}

public final class CMDModel: Module {
    public let clipEncoder: PretextBackbone
    public let keyframeEncoder: PretextBackbone
    public let motionEncoder: Sequential
    public let predictor: Sequential
    public let motionProjection: Sequential
    public let clipContext: Linear
    public let keyframeContext: Linear
    public let motionFrames: Int
    public var objective: CMDObjective

    public init(_ configuration: PretextBackboneConfiguration, dimension: Int = 64, motionFrames: Int = 4, objective: CMDObjective = .init(),
                generator: inout RandomGenerator) throws {
        guard objective.contextWeight.isFinite, objective.contextWeight >= 0 else {
            throw PretextError.invalidArgument("CMD context weight must be a finite number >= 0, got \(objective.contextWeight)")
        }
        self.objective = objective
        clipEncoder = try PretextBackbone(configuration, generator: &generator)
        var still = configuration
        still.frames = 1
        keyframeEncoder = try PretextBackbone(still, generator: &generator)
        self.motionFrames = motionFrames
        let c = clipEncoder.width, m = 32
        motionEncoder = Sequential([
            Conv3d(2, m / 2, kernelSize: [3], stride: [1, 2, 2], padding: [1], generator: &generator), BatchNorm3d(m / 2), ReLU(),
            Conv3d(m / 2, m, kernelSize: [3], stride: [1, 2, 2], padding: [1], generator: &generator), BatchNorm3d(m), ReLU(),
        ])
        predictor = Sequential([Linear(c, 2 * dimension, generator: &generator), ReLU(), Linear(2 * dimension, dimension, generator: &generator)])
        motionProjection = Sequential([Linear(m, 2 * dimension, generator: &generator), ReLU(), Linear(2 * dimension, dimension, generator: &generator)])
        clipContext = Linear(c, dimension, generator: &generator)
        keyframeContext = Linear(keyframeEncoder.width, dimension, generator: &generator)
        super.init()
        register("clip_encoder", clipEncoder)
        register("keyframe_encoder", keyframeEncoder)
        register("motion_encoder", motionEncoder)
        register("predictor", predictor)
        register("motion_projection", motionProjection)
        register("clip_context", clipContext)
        register("keyframe_context", keyframeContext)
    }

    /// Motion features [N, D, h x w] of maps [N, T, H, W, 2], pooled over time onto an h x w grid.
    func motionFeatures(_ maps: Tensor, grid: (Int, Int)) throws -> Tensor {
        let input = try PretextBackbone.resample(maps, frames: motionFrames, resolution: clipEncoder.configuration.resolution)
        let x = try motionEncoder(input).adaptiveAvgPool3d(outputSize: [1, grid.0, grid.1])  // [N, m, 1, h, w]
        let n = x.shape[0], m = x.shape[1], l = grid.0 * grid.1
        let positions = try x.reshaped([n, m, l]).permuted([0, 2, 1])                         // [N, L, m]
        return try motionProjection(positions).permuted([0, 2, 1])                            // [N, D, L]
    }

    /// (motion, context, total) losses of a batch: clip [B, 16, H, W, 3], motion [B, 8, H, W, 2],
    /// negatives [B, K, 8, H, W, 2], keyframe [B, H, W, 3]. With a context weight of 0 the context loss is
    /// not computed (returned as 0).
    public func losses(clip: Tensor, motion: Tensor, negatives: Tensor, keyframe: Tensor) throws -> (motion: Tensor, context: Tensor, total: Tensor) {
        guard clip.rank == 5, motion.rank == 5, negatives.rank == 6, keyframe.rank == 4, clip.shape[0] >= 2 else {
            throw PretextError.invalidArgument("CMD batch needs B >= 2 and clip [B, T, H, W, 3], motion [B, T, H, W, 2], negatives [B, K, T, H, W, 2], keyframe [B, H, W, 3]; got \(clip.shape), \(motion.shape), \(negatives.shape), \(keyframe.shape)")
        }
        let b = clip.shape[0]
        let negatives = try objective.reversedNegatives
            ? Tensor.concatenate([negatives, -motion.reshaped([b, 1] + Array(motion.shape.dropFirst()))], axis: 1) : negatives
        let k = negatives.shape[1]
        let map = try clipEncoder.featureMap(clipEncoder.input(clip)).mean(axis: 2)           // [B, C, h, w]
        let c = map.shape[1], h = map.shape[2], w = map.shape[3]
        let positions = try map.reshaped([b, c, h * w]).permuted([0, 2, 1])                   // [B, L, C]
        let predicted = try predictor(positions).permuted([0, 2, 1])                          // [B, D, L]
        let future = try motionFeatures(motion, grid: (h, w))
        let negativeMaps = try negatives.reshaped([b * k] + Array(negatives.shape.dropFirst(2)))
        let negative = try motionFeatures(negativeMaps, grid: (h, w))
        let d = negative.shape[1]
        let motionLoss = try PretextLosses.cmdMotion(predicted: predicted, future: future,
                                                     negatives: negative.reshaped([b, k, d, h * w]))
        guard objective.contextWeight > 0 else { return (motionLoss, Tensor.zeros([]), motionLoss) }
        let still = try keyframe.reshaped([b, 1] + Array(keyframe.shape.dropFirst()))
        let keyFeature = try keyframeContext(keyframeEncoder(keyframeEncoder.input(still)))
        let contextLoss = try PretextLosses.cmdContext(clip: clipContext(map.mean(axes: [2, 3])), keyframe: keyFeature)
        let total = try motionLoss + (objective.contextWeight == 1 ? contextLoss : contextLoss * objective.contextWeight)
        return (motionLoss, contextLoss, total)
    }

    /// Pooled clip features [N, C] (what a linear probe reads).
    public func clipFeatures(_ clips: Tensor) throws -> Tensor {
        try clipEncoder(clipEncoder.input(clips))
    }
}
