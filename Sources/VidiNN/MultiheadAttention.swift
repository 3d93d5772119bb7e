import VidiTensor

/// Multi-head scaled dot-product attention with PyTorch's `nn.MultiheadAttention` parameters:
/// `in_proj_weight` `[3E, E]` and `in_proj_bias` `[3E]` (query, key, value projections stacked),
/// and `out_proj` (a Linear `E → E`). Key and value have the embedding size of the query.
public final class MultiheadAttention: Module, RandomStateModule {
    public let inProjWeight: Parameter
    public let inProjBias: Parameter?
    public let outProj: Linear
    public let embedDim: Int
    public let heads: Int
    /// Inputs and outputs are `[N, L, E]` when true, `[L, N, E]` (PyTorch's default) when false.
    public let batchFirst: Bool
    /// Dropout on the attention weights in training mode.
    public let dropoutProbability: Float
    /// Draws the dropout masks; public so training checkpoints save and restore it (`RandomStateModule`).
    public var generator: RandomGenerator

    /// PyTorch's init: Xavier-uniform packed projection, zero biases, default Linear init for `out_proj.weight`.
    public init(embedDim: Int, heads: Int, bias: Bool = true, batchFirst: Bool = false, dropout: Float = 0,
                generator: inout RandomGenerator) {
        precondition(heads > 0 && embedDim % heads == 0, "embedDim \(embedDim) must be divisible by heads \(heads)")
        self.embedDim = embedDim
        self.heads = heads
        self.batchFirst = batchFirst
        inProjWeight = Parameter(Init.xavierUniform([3 * embedDim, embedDim], generator: &generator))
        inProjBias = bias ? Parameter(Tensor.zeros([3 * embedDim])) : nil
        outProj = Linear(embedDim, embedDim, bias: bias, generator: &generator)
        if let b = outProj.bias { b.value = Tensor.zeros([embedDim]).requiresGrad() }
        dropoutProbability = dropout
        self.generator = RandomGenerator(seed: generator.next())
        super.init()
        register("in_proj_weight", inProjWeight)
        if let inProjBias { register("in_proj_bias", inProjBias) }
        register("out_proj", outProj)
    }

    /// Attends from `query` `[N, L, E]` to `key`/`value` `[N, S, E]` (or sequence-first when `batchFirst`
    /// is false). `keyPaddingMask` `[N, S]`: true (bool) marks keys to ignore, or a float mask added to the
    /// scores. `attentionMask` `[L, S]` or `[N·heads, L, S]`, bool (true = not allowed) or float (added).
    /// Returns the output in the input layout.
    public func callAsFunction(_ query: Tensor, _ key: Tensor, _ value: Tensor, keyPaddingMask: Tensor? = nil,
                               attentionMask: Tensor? = nil) throws -> Tensor {
        try attention(query, key, value, keyPaddingMask: keyPaddingMask, attentionMask: attentionMask, averageWeights: false).output
    }

    /// Self-attention: `self(x, x, x)`.
    public func callAsFunction(_ x: Tensor, keyPaddingMask: Tensor? = nil, attentionMask: Tensor? = nil) throws -> Tensor {
        try self(x, x, x, keyPaddingMask: keyPaddingMask, attentionMask: attentionMask)
    }

    /// The output and the attention weights averaged over heads, `[N, L, S]` (PyTorch's `need_weights=True`).
    public func attend(_ query: Tensor, _ key: Tensor, _ value: Tensor, keyPaddingMask: Tensor? = nil,
                       attentionMask: Tensor? = nil) throws -> (output: Tensor, weights: Tensor) {
        let result = try attention(query, key, value, keyPaddingMask: keyPaddingMask, attentionMask: attentionMask, averageWeights: true)
        return (result.output, result.weights!)
    }

    /// The attention itself; the head-averaged weights only when asked for (callers of the plain call
    /// discard them, so neither the pass nor its autograd node is paid for).
    private func attention(_ query: Tensor, _ key: Tensor, _ value: Tensor, keyPaddingMask: Tensor?, attentionMask: Tensor?,
                           averageWeights: Bool) throws -> (output: Tensor, weights: Tensor?) {
        let op = "MultiheadAttention"
        for (name, t) in [("query", query), ("key", key), ("value", value)] {
            guard t.rank == 3, t.shape[2] == embedDim else {
                throw TensorError.invalidArgument(op: op, reason: "\(name) of shape \(t.shape) is not rank 3 with embedding size \(embedDim)")
            }
        }
        // Work batch-first: [N, L, E].
        let (q0, k0, v0) = batchFirst ? (query, key, value)
            : (try query.transposed(0, 1), try key.transposed(0, 1), try value.transposed(0, 1))
        let n = q0.shape[0], l = q0.shape[1], s = k0.shape[1], d = embedDim / heads
        guard k0.shape[0] == n, v0.shape[0] == n, v0.shape[1] == s else {
            throw TensorError.invalidArgument(op: op, reason: "query \(query.shape), key \(key.shape), value \(value.shape) disagree on batch or source length")
        }
        // [N, T, E] → [N, heads, T, d]
        func splitHeads(_ x: Tensor) throws -> Tensor { try x.reshaped([n, x.shape[1], heads, d]).permuted([0, 2, 1, 3]) }
        let q: Tensor, k: Tensor, v: Tensor
        if Self.isSameTensor(query, key), Self.isSameTensor(key, value) {
            // Self-attention: one packed projection, as PyTorch does — one GEMM instead of three, and
            // backward writes `in_proj_weight`'s gradient in one piece.
            let qkv = try Linear.apply(q0, weight: inProjWeight.value, bias: inProjBias?.value)   // [N, L, 3E]
            (q, k, v) = (try splitHeads(qkv.narrowed(axis: 2, start: 0, length: embedDim)),
                         try splitHeads(qkv.narrowed(axis: 2, start: embedDim, length: embedDim)),
                         try splitHeads(qkv.narrowed(axis: 2, start: 2 * embedDim, length: embedDim)))
        } else {
            func project(_ x: Tensor, _ index: Int) throws -> Tensor {
                let w = try inProjWeight.value.narrowed(axis: 0, start: index * embedDim, length: embedDim)
                let b = try inProjBias.map { try $0.value.narrowed(axis: 0, start: index * embedDim, length: embedDim) }
                return try splitHeads(Linear.apply(x, weight: w, bias: b))
            }
            (q, k, v) = (try project(q0, 0), try project(k0, 1), try project(v0, 2))
        }
        var scores = try q.matmul(k.transposed(-2, -1)) * (1 / Float(d).squareRoot())   // [N, H, L, S]
        if let mask = try additiveMask(attentionMask, n: n, l: l, s: s) { scores = try scores + mask }
        if let padding = keyPaddingMask {
            guard padding.shape == [n, s] else {
                throw TensorError.invalidArgument(op: op, reason: "key padding mask of shape \(padding.shape) is not [\(n), \(s)]")
            }
            scores = try scores + MultiheadAttention.additive(padding).reshaped([n, 1, 1, s])
        }
        var weights = try scores.softmax(axis: -1)
        if isTraining, dropoutProbability > 0 {
            weights = try weights.dropout(probability: dropoutProbability, training: true, generator: &generator)
        }
        let context = try weights.matmul(v).permuted([0, 2, 1, 3]).reshaped([n, l, embedDim])
        var output = try outProj(context)
        if !batchFirst { output = try output.transposed(0, 1) }
        return (output, averageWeights ? try weights.mean(axis: 1) : nil)
    }

    /// The same view of the same storage with the same autograd node: attention may then project once.
    static func isSameTensor(_ a: Tensor, _ b: Tensor) -> Bool {
        a.storage === b.storage && a.offset == b.offset && a.shape == b.shape && a.strides == b.strides
            && a.dtype == b.dtype && a.gradNode === b.gradNode
    }

    /// An attention mask as scores to add, shaped to broadcast against `[N, H, L, S]`.
    private func additiveMask(_ mask: Tensor?, n: Int, l: Int, s: Int) throws -> Tensor? {
        guard let mask else { return nil }
        let additive = try MultiheadAttention.additive(mask)
        if mask.shape == [l, s] { return additive }
        if mask.shape == [n * heads, l, s] { return try additive.reshaped([n, heads, l, s]) }
        throw TensorError.invalidArgument(op: "MultiheadAttention", reason: "attention mask of shape \(mask.shape) is neither [\(l), \(s)] nor [\(n * heads), \(l), \(s)]")
    }

    /// Bool masks (true = masked) become −∞ / 0; float masks are added as they are.
    static func additive(_ mask: Tensor) throws -> Tensor {
        switch mask.dtype {
        case .bool: return try Tensor.zeros(mask.shape).maskedFill(mask, value: -.infinity)
        case .float32: return mask
        default: throw TensorError.dtypeMismatch(op: "attention mask", expected: .bool, actual: mask.dtype)
        }
    }
}
