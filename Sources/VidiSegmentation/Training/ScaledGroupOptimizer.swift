import VidiTensor

/// AdamW over a model's parameters with a learning-rate multiplier for one group of them (the LCM
/// modules when LCM is added to a trained network: zero-initialised layers that must move much further
/// than the trained weights in a short fine-tune). The shared `Trainer` takes one optimizer, so this
/// wraps one AdamW per group and keeps the rates in proportion when a schedule sets `learningRate`.
/// State keys are the indices into `parameters`, as one AdamW over the same list would write them, so
/// checkpoints and `--resume` work unchanged.
public final class ScaledGroupOptimizer: Optimizer {
    public let parameters: [Parameter]
    /// How many times the base rate the scaled group gets.
    public let scale: Float
    private let base: AdamW
    private let scaled: AdamW
    /// Index in `parameters` of each parameter of `base` and of `scaled`.
    private let baseIndices: [Int]
    private let scaledIndices: [Int]

    /// `inScaledGroup(i)` tells whether `parameters[i]` gets `scale x learningRate`.
    public init(_ parameters: [Parameter], inScaledGroup: (Int) -> Bool, scale: Float, learningRate: Float,
                weightDecay: Float) throws {
        guard scale.isFinite, scale > 0 else {
            throw TensorError.invalidArgument(op: "ScaledGroupOptimizer", reason: "the learning-rate scale must be positive, got \(scale)")
        }
        self.parameters = parameters
        self.scale = scale
        baseIndices = parameters.indices.filter { !inScaledGroup($0) }
        scaledIndices = parameters.indices.filter { inScaledGroup($0) }
        base = try AdamW(baseIndices.map { parameters[$0] }, learningRate: learningRate, weightDecay: weightDecay)
        scaled = try AdamW(scaledIndices.map { parameters[$0] }, learningRate: learningRate * scale, weightDecay: weightDecay)
    }

    public var learningRate: Float {
        get { base.learningRate }
        set {
            base.learningRate = newValue
            scaled.learningRate = newValue * scale
        }
    }

    public func step() throws {
        try base.step()
        try scaled.step()
    }

    public var stateTensors: [String: Tensor] {
        var tensors: [String: Tensor] = [:]
        for (optimizer, indices) in [(base, baseIndices), (scaled, scaledIndices)] {
            for (key, tensor) in optimizer.stateTensors { tensors[Self.renumber(key, by: { indices[$0] })] = tensor }
        }
        return tensors
    }

    public func loadState(_ tensors: [String: Tensor]) throws {
        let stray = tensors.keys.filter { key in Int(key.prefix { $0 != "." }).map { !parameters.indices.contains($0) } ?? true }
        guard stray.isEmpty else {
            throw TensorError.invalidArgument(op: "ScaledGroupOptimizer.loadState", reason: "state for no parameter: \(stray.sorted().prefix(3))")
        }
        for (optimizer, indices) in [(base, baseIndices), (scaled, scaledIndices)] {
            var local: [Int: Int] = [:]
            for (position, index) in indices.enumerated() { local[index] = position }
            var own: [String: Tensor] = [:]
            for (key, tensor) in tensors {
                guard let index = Int(key.prefix { $0 != "." }), let position = local[index] else { continue }
                own[Self.renumber(key, by: { _ in position })] = tensor
            }
            try optimizer.loadState(own)
        }
    }

    /// `"<i>.<name>"` -> `"<map(i)>.<name>"`.
    private static func renumber(_ key: String, by map: (Int) -> Int) -> String {
        let head = key.prefix { $0 != "." }
        guard let index = Int(head) else { return key }
        return "\(map(index))" + key.dropFirst(head.count)
    }
}
