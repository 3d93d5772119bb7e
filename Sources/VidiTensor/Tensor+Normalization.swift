/// Layer, group and batch normalisation as pure functions (`torch.nn.functional` semantics). Each one
/// standardises rows of a reshaped view with one differentiable kernel and applies the affine part with
/// ordinary broadcast ops, so gradients reach the input, the weight and the bias. Training-mode batch
/// norm is the exception: one fused op (`batchNormTraining`), checked against that composition.
extension Tensor {
    /// Normalises over the trailing axes `normalizedShape`; `weight` and `bias` have that shape.
    public func layerNorm(normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil,
                          epsilon: Float = 1e-5) throws -> Tensor {
        try requireFloat("layerNorm")
        guard !normalizedShape.isEmpty, normalizedShape.count <= rank, Array(shape.suffix(normalizedShape.count)) == normalizedShape else {
            throw TensorError.invalidArgument(op: "layerNorm", reason: "normalizedShape \(normalizedShape) is not a trailing part of input shape \(shape)")
        }
        let length = Shape.elementCount(normalizedShape)
        let rows = try reshaped([-1, length]).standardizedRows(epsilon: epsilon, op: "layerNorm").output
        return try rows.reshaped(shape).affine(weight: weight, bias: bias, shape: normalizedShape, op: "layerNorm")
    }

    /// Normalises `[N, C, …]` over each group of `C / groups` channels (and all spatial positions);
    /// `weight` and `bias` have shape `[C]`.
    public func groupNorm(groups: Int, weight: Tensor? = nil, bias: Tensor? = nil, epsilon: Float = 1e-5) throws -> Tensor {
        try requireFloat("groupNorm")
        guard rank >= 2, groups >= 1, shape[1] % groups == 0 else {
            throw TensorError.invalidArgument(op: "groupNorm", reason: "input \(shape) is not [N, C, …] with C divisible by groups = \(groups)")
        }
        let rows = try reshaped([shape[0] * groups, -1]).standardizedRows(epsilon: epsilon, op: "groupNorm").output
        return try rows.reshaped(shape).affine(weight: weight, bias: bias, shape: channelShape, op: "groupNorm")
    }

    /// Batch normalisation of `[N, C, …]` per channel. Training uses the batch's statistics and returns the
    /// running statistics moved toward them by `momentum` (variance unbiased, as PyTorch keeps it); evaluation
    /// uses `runningMean`/`runningVar` (required) and returns them unchanged.
    public func batchNorm(runningMean: Tensor?, runningVar: Tensor?, weight: Tensor? = nil, bias: Tensor? = nil,
                          training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5) throws -> BatchNormResult {
        try requireFloat("batchNorm")
        guard rank >= 2 else {
            throw TensorError.invalidArgument(op: "batchNorm", reason: "input \(shape) is not [N, C, …]")
        }
        let channels = shape[1]
        for (name, buffer) in [("runningMean", runningMean), ("runningVar", runningVar)] {
            guard let buffer else { continue }
            guard buffer.dtype == .float32, buffer.shape == [channels] else {
                throw TensorError.invalidArgument(op: "batchNorm", reason: "\(name) of shape \(buffer.shape) (\(buffer.dtype)) is not float32 [\(channels)]")
            }
        }
        if !training {
            guard let mean = runningMean?.detached(), let variance = runningVar?.detached() else {
                throw TensorError.invalidArgument(op: "batchNorm", reason: "evaluation needs runningMean and runningVar")
            }
            let scale = try (variance + epsilon).rsqrt().reshaped(channelShape)
            let normalized = try (self - mean.reshaped(channelShape)) * scale
            return BatchNormResult(output: try normalized.affine(weight: weight, bias: bias, shape: channelShape, op: "batchNorm"),
                                   runningMean: mean, runningVar: variance)
        }
        let perChannel = elementCount / Swift.max(channels, 1)
        guard perChannel > 1 else {
            throw TensorError.invalidArgument(op: "batchNorm", reason: "training needs more than one value per channel, input is \(shape)")
        }
        let batch = try batchNormTraining(weight: weight, bias: bias, epsilon: epsilon)
        let unbiased = Float(perChannel) / Float(perChannel - 1)
        let batchMean = Tensor(batch.mean.map { Float($0) })
        let batchVar = Tensor(batch.variance.map { Float($0) * unbiased })
        func updated(_ running: Tensor?, _ batch: Tensor) throws -> Tensor? {
            guard let running else { return nil }
            return try running.detached() * (1 - momentum) + batch * momentum
        }
        return BatchNormResult(output: batch.output, runningMean: try updated(runningMean, batchMean),
                               runningVar: try updated(runningVar, batchVar))
    }

    /// Training-mode batch norm composed of the general ops (channels made rows, `standardizedRows`, the
    /// affine part as broadcast ops): what `batchNormTraining` fuses, kept so a test can compare the two.
    func batchNormTrainingComposed(weight: Tensor?, bias: Tensor?, epsilon: Float) throws -> (output: Tensor, mean: [Double], variance: [Double]) {
        let grouped = try reshaped([shape[0], shape[1], -1]).transposed(0, 1)
        let standardized = try grouped.contiguous().reshaped([shape[1], -1]).standardizedRows(epsilon: epsilon, op: "batchNorm")
        let output = try standardized.output.reshaped(grouped.shape).transposed(0, 1).contiguous().reshaped(shape)
        return (try output.affine(weight: weight, bias: bias, shape: channelShape, op: "batchNorm"), standardized.mean, standardized.variance)
    }

    /// `[C, 1, 1, …]`: a per-channel parameter shape that broadcasts against `[N, C, …]`.
    var channelShape: [Int] { [shape[1]] + [Int](repeating: 1, count: rank - 2) }

    /// `self * weight + bias` with the parameters (of shape `expected`, when given) reshaped to `shape`.
    private func affine(weight: Tensor?, bias: Tensor?, shape target: [Int], op: String) throws -> Tensor {
        try Self.checkAffine(weight: weight, bias: bias, shape: target, op: op)
        var result = self
        if let weight { result = try result * weight.reshaped(target) }
        if let bias { result = try result + bias.reshaped(target) }
        return result
    }

    /// Throws unless `weight` and `bias` (where given) are float32 of shape `target` or its flat length.
    static func checkAffine(weight: Tensor?, bias: Tensor?, shape target: [Int], op: String) throws {
        let expected = [Shape.elementCount(target)]
        for (name, parameter) in [("weight", weight), ("bias", bias)] {
            guard let parameter else { continue }
            guard parameter.dtype == .float32, parameter.shape == expected || parameter.shape == target else {
                throw TensorError.invalidArgument(op: op, reason: "\(name) of shape \(parameter.shape) (\(parameter.dtype)) does not fit \(expected)")
            }
        }
    }

    /// Standardises each row of a 2-D tensor to zero mean and unit (biased) variance: `(x - μ) / √(σ² + ε)`.
    /// Returns the row means and biased variances too (batch norm's running statistics).
    func standardizedRows(epsilon: Float, op: String) throws -> (output: Tensor, mean: [Double], variance: [Double]) {
        guard epsilon >= 0 else { throw TensorError.invalidArgument(op: op, reason: "epsilon \(epsilon) is negative") }
        let x = detached().contiguousData()
        let rows = shape[0], length = shape[1]
        let px = x.typedPointer(Float.self)
        let (mean, variance) = withExtendedLifetime(x) { () -> ([Double], [Double]) in
            let means = CPUKernels.sumRows(px, rows: rows, length: length).map { $0 / Double(Swift.max(length, 1)) }
            let squares = CPUKernels.squaredDeviationRows(px, rows: rows, length: length, means: means)
            return (means, squares.map { $0 / Double(Swift.max(length, 1)) })
        }
        let inverseStd = variance.map { Float(1 / ($0 + Double(epsilon)).squareRoot()) }
        let normalized = Tensor(zeroed: shape, dtype: .float32)
        let po = normalized.typedPointer(Float.self)
        withExtendedLifetime(x) {
            Parallel.forEachChunk(count: rows, grain: Swift.max(1, Parallel.defaultGrain / Swift.max(length, 1))) { _, range in
                for row in range {
                    let m = Float(mean[row]), r = inverseStd[row]
                    for i in row * length..<(row + 1) * length { po[i] = (px[i] - m) * r }
                }
            }
        }
        let rstd = try Tensor(inverseStd, shape: [rows, 1])
        let out = Autograd.record(normalized, op: op, inputs: [self]) { g in
            // d/dx of (x - μ)·r with μ and r functions of the row: r·(g - mean(g) - x̂·mean(g·x̂)).
            let centered = try g - g.mean(axis: 1, keepDims: true)
            return [try (centered - normalized * (g * normalized).mean(axis: 1, keepDims: true)) * rstd]
        }
        return (out, mean, variance)
    }
}

/// The output of `batchNorm` and the running statistics to keep for the next call (nil when none were given).
public struct BatchNormResult: Sendable {
    public let output: Tensor
    public let runningMean: Tensor?
    public let runningVar: Tensor?
}
