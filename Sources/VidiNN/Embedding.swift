import VidiTensor

/// A lookup table of `count` vectors (PyTorch `nn.Embedding`, parameter `weight` `[count, dimension]`).
/// With `paddingIndex`, that row receives no gradient (its vector is whatever was loaded, zeros at init).
public final class Embedding: Module, Layer {
    public let weight: Parameter
    public let paddingIndex: Int?

    /// PyTorch's init: `N(0, 1)`, the padding row zeroed.
    public init(count: Int, dimension: Int, paddingIndex: Int? = nil, generator: inout RandomGenerator) {
        precondition(paddingIndex.map { (0..<count).contains($0) } ?? true, "padding index \(paddingIndex ?? 0) outside 0..<\(count)")
        self.paddingIndex = paddingIndex
        var table = Init.normal([count, dimension], std: 1, generator: &generator)
        if let paddingIndex {
            let drawn = table
            table = Tensor(unsafeUninitializedShape: [count, dimension]) { values in
                for (i, value) in drawn.scalars.enumerated() { values[i] = i / dimension == paddingIndex ? 0 : value }
            }
        }
        weight = Parameter(table)
        super.init()
        register("weight", weight)
    }

    /// Integer `indices` of any shape → `indices.shape + [dimension]`; an index out of range throws.
    public func callAsFunction(_ indices: Tensor) throws -> Tensor {
        guard indices.dtype == .int64 || indices.dtype == .int32 else {
            throw TensorError.dtypeMismatch(op: "Embedding", expected: .int64, actual: indices.dtype)
        }
        let flat = try indices.reshaped([-1])
        var rows = try weight.value.indexSelect(axis: 0, indices: flat)
        if let paddingIndex {
            let isPadding = try flat.to(.int64).eq(Tensor(scalar: Int64(paddingIndex))).unsqueezed(axis: 1)
            rows = try Tensor.where(isPadding, rows.detached(), rows)
        }
        return try rows.reshaped(indices.shape + [weight.shape[1]])
    }
}
