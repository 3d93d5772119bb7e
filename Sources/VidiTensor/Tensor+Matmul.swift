import COpenBLAS

extension Tensor {
    /// Matrix product with `torch.matmul` semantics: 1-D operands are promoted to a row (left) or column
    /// (right) vector and the added axis removed afterwards; batch axes (all but the last two) broadcast.
    /// Float32 only; computed by OpenBLAS SGEMM, reading transposed views without copying.
    public func matmul(_ other: Tensor) throws -> Tensor {
        guard dtype == .float32 else { throw TensorError.dtypeMismatch(op: "matmul", expected: .float32, actual: dtype) }
        guard other.dtype == .float32 else { throw TensorError.dtypeMismatch(op: "matmul", expected: .float32, actual: other.dtype) }
        guard rank >= 1, other.rank >= 1 else {
            throw TensorError.shapeMismatch(op: "matmul", lhs: shape, rhs: other.shape)
        }
        if rank == 1, other.rank == 1 { return try unsqueezed(axis: 0).matmul(other.unsqueezed(axis: 1)).reshaped([]) }
        if rank == 1 { return try unsqueezed(axis: 0).matmul(other).squeezed(axis: -2) }
        if other.rank == 1 { return try matmul(other.unsqueezed(axis: 1)).squeezed(axis: -1) }
        guard shape[rank - 1] == other.shape[other.rank - 2] else {
            throw TensorError.shapeMismatch(op: "matmul", lhs: shape, rhs: other.shape)
        }
        let (m, k, n) = (shape[rank - 2], shape[rank - 1], other.shape[other.rank - 1])
        guard Swift.max(m, k, n) < Int(Int32.max) else {
            throw TensorError.invalidArgument(op: "matmul", reason: "dimensions \(shape) × \(other.shape) exceed BLAS's 32-bit sizes")
        }
        let batchShape = try Shape.broadcast(Array(shape.dropLast(2)), Array(other.shape.dropLast(2)), op: "matmul")
        let out = CPUKernels.matmul(self, other, batchShape: batchShape)
        let a = detached(), b = other.detached()
        let (needA, needB) = (requiresGrad, other.requiresGrad)
        return Autograd.record(out, op: "matmul", inputs: [self, other]) { g in
            [needA ? try Tensor.matmulGradient(g, b, product: .left, like: a) : nil,
             needB ? try Tensor.matmulGradient(g, a, product: .right, like: b) : nil]
        }
    }

    /// `self · other + bias` for matrices `[M, K]`, `[K, N]` and a row `bias` `[N]` (a linear layer): the output
    /// starts as the bias and SGEMM adds the product into it, one pass fewer than `matmul` then `+` and no
    /// zeroing of the output. Each element is the bias plus the same products; OpenBLAS adds its K-blocks of
    /// the sum (hundreds of terms each) to the output one at a time, so the bias enters the rounding first
    /// instead of last (a difference of an ulp of the output; `FusedBiasMatmulTests`).
    public func matmul(_ other: Tensor, addingRow bias: Tensor) throws -> Tensor {
        guard rank == 2, other.rank == 2, shape[1] == other.shape[0] else {
            throw TensorError.shapeMismatch(op: "matmul(addingRow:)", lhs: shape, rhs: other.shape)
        }
        guard dtype == .float32, other.dtype == .float32, bias.dtype == .float32 else {
            throw TensorError.dtypeMismatch(op: "matmul(addingRow:)", expected: .float32, actual: dtype != .float32 ? dtype : other.dtype != .float32 ? other.dtype : bias.dtype)
        }
        let n = other.shape[1]
        guard bias.shape == [n] else { throw TensorError.shapeMismatch(op: "matmul(addingRow:) bias", lhs: bias.shape, rhs: [n]) }
        guard Swift.max(shape[0], shape[1], n) < Int(Int32.max) else {
            throw TensorError.invalidArgument(op: "matmul(addingRow:)", reason: "dimensions \(shape) × \(other.shape) exceed BLAS's 32-bit sizes")
        }
        let row = bias.detached().contiguousData()
        let out = CPUKernels.matmul(self, other, batchShape: [], rowBias: row)
        let a = detached(), b = other.detached()
        let (needA, needB, needBias) = (requiresGrad, other.requiresGrad, bias.requiresGrad)
        return Autograd.record(out, op: "matmul", inputs: [self, other, bias]) { g in
            [needA ? try Tensor.matmulGradient(g, b, product: .left, like: a) : nil,
             needB ? try Tensor.matmulGradient(g, a, product: .right, like: b) : nil,
             needBias ? try g.sum(toShape: [n]) : nil]
        }
    }

    /// Which operand of `x · y` a gradient is for.
    enum MatmulOperand { case left, right }

    /// The gradient of the `operand` of a product, given the output gradient `g` and the other operand:
    /// `g · yᵀ` for the left, `xᵀ · g` for the right, summed over broadcast batch axes.
    ///
    /// When the operand is a transposed view (a `Linear`'s `weight.transposed()`, attention's `kᵀ`), the
    /// gradient is computed as the transpose of the transposed product — `(y · gᵀ)ᵀ`, `(gᵀ · x)ᵀ`, the same
    /// sums — so it comes out in the operand's own layout: the transpose's backward then hands the
    /// parameter a contiguous gradient instead of a view that accumulation copies column by column.
    static func matmulGradient(_ g: Tensor, _ other: Tensor, product operand: MatmulOperand, like target: Tensor) throws -> Tensor {
        let full: [Int] = Array(g.shape.dropLast(2)) + Array(target.shape.suffix(2))
        let (rows, cols) = (target.shape[target.rank - 2], target.shape[target.rank - 1])
        // (`matrixOperand` prefers the plain layout, so `CblasTrans` means the operand is stored transposed.)
        let transposedLayout = target.shape == full
            && CPUKernels.matrixOperand(strides: target.strides, rows: rows, cols: cols)?.transpose == CblasTrans
        switch (operand, transposedLayout) {
        case (.left, false): return try g.matmul(other.transposed()).sum(toShape: target.shape)
        case (.left, true): return try other.matmul(g.transposed()).transposed()
        case (.right, false): return try other.transposed().matmul(g).sum(toShape: target.shape)
        case (.right, true): return try g.transposed().matmul(other).transposed()
        }
    }
}
