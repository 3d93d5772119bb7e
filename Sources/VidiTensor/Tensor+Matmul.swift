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
            [needA ? try g.matmul(b.transposed()).sum(toShape: a.shape) : nil,
             needB ? try a.transposed().matmul(g).sum(toShape: b.shape) : nil]
        }
    }
}
