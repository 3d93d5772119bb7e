import VidiTensor

/// `y = x Wᵀ + b` over the last axis (PyTorch `nn.Linear`: `weight` is `[out, in]`).
public final class Linear: Module, Layer {
    public let weight: Parameter
    public let bias: Parameter?
    public let inFeatures: Int
    public let outFeatures: Int

    /// PyTorch's default init: kaiming-uniform weight, bias `U(±1/√in)`.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: inout RandomGenerator) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Parameter(Init.kaimingUniform([outFeatures, inFeatures], generator: &generator))
        self.bias = bias ? Parameter(Init.fanInBias(outFeatures, fanIn: inFeatures, generator: &generator)) : nil
        super.init()
        register("weight", weight)
        if let b = self.bias { register("bias", b) }
    }

    /// `input` of shape `[..., in]` → `[..., out]`.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try Linear.apply(input, weight: weight.value, bias: bias?.value)
    }

    /// `x Wᵀ + b` for `weight` `[out, in]` (also used by layers that keep packed projection weights).
    static func apply(_ input: Tensor, weight: Tensor, bias: Tensor?) throws -> Tensor {
        let inFeatures = weight.shape[1], outFeatures = weight.shape[0]
        guard input.rank >= 1, input.shape[input.rank - 1] == inFeatures else {
            throw TensorError.shapeMismatch(op: "linear(\(inFeatures)→\(outFeatures))", lhs: input.shape, rhs: weight.shape)
        }
        // One GEMM over all leading axes rather than a batched product per leading index.
        let rows = try input.reshaped([-1, inFeatures])
        // A bias row goes into the GEMM's output before the product (one pass instead of two).
        let out = try bias.map { try rows.matmul(weight.transposed(), addingRow: $0) } ?? rows.matmul(weight.transposed())
        return try out.reshaped(Array(input.shape.dropLast()) + [outFeatures])
    }
}
