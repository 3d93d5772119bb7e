import VidiTensor

/// What BatchNorm1d/2d/3d share: `weight`/`bias` `[C]` and the buffers `running_mean`, `running_var`,
/// `num_batches_tracked` (PyTorch `_BatchNorm` names). Training normalises with the batch's statistics and
/// moves the running ones by `momentum`; evaluation uses the running statistics.
public class BatchNormBase: Module {
    public let weight: Parameter?
    public let bias: Parameter?
    public let runningMean: Buffer
    public let runningVar: Buffer
    public let numBatchesTracked: Buffer
    public let features: Int
    public let momentum: Float
    public let epsilon: Float
    private let acceptedRanks: [Int]
    private let name: String

    init(name: String, acceptedRanks: [Int], features: Int, epsilon: Float, momentum: Float, affine: Bool) {
        self.name = name
        self.acceptedRanks = acceptedRanks
        self.features = features
        self.epsilon = epsilon
        self.momentum = momentum
        weight = affine ? Parameter(Tensor.ones([features])) : nil
        bias = affine ? Parameter(Tensor.zeros([features])) : nil
        runningMean = Buffer(Tensor.zeros([features]))
        runningVar = Buffer(Tensor.ones([features]))
        numBatchesTracked = Buffer(Tensor.zeros([], dtype: .int64))
        super.init()
        if let weight, let bias {
            register("weight", weight)
            register("bias", bias)
        }
        register("running_mean", runningMean)
        register("running_var", runningVar)
        register("num_batches_tracked", numBatchesTracked)
    }

    private func checkInput(_ input: Tensor) throws {
        guard acceptedRanks.contains(input.rank), input.shape[1] == features else {
            throw TensorError.invalidArgument(op: "\(name)(\(features))", reason: "expected input of rank \(acceptedRanks.map(String.init).joined(separator: " or ")) with \(features) channels on axis 1, got \(input.shape)")
        }
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try checkInput(input)
        if !isTraining {
            let (scale, shift) = try evaluationScaleShift()
            return try input.channelAffine(scale: scale, shift: shift)
        }
        let result = try input.batchNorm(runningMean: runningMean.value, runningVar: runningVar.value,
                                         weight: weight?.value, bias: bias?.value, training: isTraining,
                                         momentum: momentum, epsilon: epsilon)
        if let mean = result.runningMean { runningMean.value = mean.detached() }
        if let variance = result.runningVar { runningVar.value = variance.detached() }
        numBatchesTracked.value = try numBatchesTracked.value + Tensor(scalar: Int64(1))
        return result.output
    }

    /// BatchNorm, then `+ residual`, then ReLU when `relu` (the tail of a CNN block). In evaluation mode
    /// this is one pass over the activations (`channelAffine`), in place when `input` is not shared,
    /// instead of four, with the same values; in training mode it runs the three ops.
    public func callAsFunction(_ input: consuming Tensor, adding residual: Tensor?, relu: Bool) throws -> Tensor {
        guard !isTraining else {
            var y = try self(input)
            if let residual { y = try y + residual }
            return relu ? try y.relu() : y
        }
        try checkInput(input)
        let (scale, shift) = try evaluationScaleShift()
        return try (consume input).channelAffine(scale: scale, shift: shift, residual: residual, relu: relu)
    }

    /// Evaluation mode as one per-channel affine map, `x · s + t` with `s = γ / √(σ² + ε)` and
    /// `t = β − μ · s` computed on the `[C]` vectors: one pass over the activations instead of four
    /// (the bulk of a CNN's non-GEMM time at inference). Same values as `batchNorm(training: false)`.
    private func evaluationScaleShift() throws -> (scale: Tensor, shift: Tensor) {
        var scale = try (runningVar.value + epsilon).rsqrt()
        if let weight { scale = try scale * weight.value }
        var shift = try -(runningMean.value * scale)
        if let bias { shift = try shift + bias.value }
        return (scale, shift)
    }
}

/// Batch normalisation over `[N, C]` or `[N, C, L]` (PyTorch `nn.BatchNorm1d`).
public final class BatchNorm1d: BatchNormBase, Layer {
    public init(_ features: Int, epsilon: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        super.init(name: "BatchNorm1d", acceptedRanks: [2, 3], features: features, epsilon: epsilon, momentum: momentum, affine: affine)
    }
}

/// Batch normalisation over `[N, C, H, W]` (PyTorch `nn.BatchNorm2d`).
public final class BatchNorm2d: BatchNormBase, Layer {
    public init(_ features: Int, epsilon: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        super.init(name: "BatchNorm2d", acceptedRanks: [4], features: features, epsilon: epsilon, momentum: momentum, affine: affine)
    }
}

/// Batch normalisation over `[N, C, D, H, W]` (PyTorch `nn.BatchNorm3d`).
public final class BatchNorm3d: BatchNormBase, Layer {
    public init(_ features: Int, epsilon: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        super.init(name: "BatchNorm3d", acceptedRanks: [5], features: features, epsilon: epsilon, momentum: momentum, affine: affine)
    }
}

/// Normalisation over the trailing `normalizedShape` axes with elementwise affine (PyTorch `nn.LayerNorm`).
public final class LayerNorm: Module, Layer {
    public let weight: Parameter?
    public let bias: Parameter?
    public let normalizedShape: [Int]
    public let epsilon: Float

    public init(_ normalizedShape: [Int], epsilon: Float = 1e-5, elementwiseAffine: Bool = true) {
        self.normalizedShape = normalizedShape
        self.epsilon = epsilon
        weight = elementwiseAffine ? Parameter(Tensor.ones(normalizedShape)) : nil
        bias = elementwiseAffine ? Parameter(Tensor.zeros(normalizedShape)) : nil
        super.init()
        if let weight, let bias {
            register("weight", weight)
            register("bias", bias)
        }
    }

    public convenience init(_ features: Int, epsilon: Float = 1e-5) {
        self.init([features], epsilon: epsilon)
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.layerNorm(normalizedShape: normalizedShape, weight: weight?.value, bias: bias?.value, epsilon: epsilon)
    }
}

/// Normalisation over channel groups of `[N, C, …]` (PyTorch `nn.GroupNorm`).
public final class GroupNorm: Module, Layer {
    public let weight: Parameter?
    public let bias: Parameter?
    public let groups: Int
    public let channels: Int
    public let epsilon: Float

    public init(groups: Int, channels: Int, epsilon: Float = 1e-5, affine: Bool = true) {
        precondition(groups > 0 && channels % groups == 0, "GroupNorm: \(channels) channels are not divisible into \(groups) groups")
        self.groups = groups
        self.channels = channels
        self.epsilon = epsilon
        weight = affine ? Parameter(Tensor.ones([channels])) : nil
        bias = affine ? Parameter(Tensor.zeros([channels])) : nil
        super.init()
        if let weight, let bias {
            register("weight", weight)
            register("bias", bias)
        }
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.groupNorm(groups: groups, weight: weight?.value, bias: bias?.value, epsilon: epsilon)
    }
}
