import COpenBLAS

extension CPUKernels {
    /// How BLAS reads one matrix operand without copying: row-major with leading dimension `ld`,
    /// transposed or not.
    struct MatrixOperand {
        let transpose: CBLAS_TRANSPOSE
        let ld: Int32
    }

    /// The BLAS view of the last two axes of `t` (`rows × cols`), or nil when its strides need a copy.
    static func matrixOperand(strides: [Int], rows: Int, cols: Int) -> MatrixOperand? {
        let rowStride = strides[strides.count - 2], colStride = strides[strides.count - 1]
        guard Swift.max(rowStride, colStride) < Int(Int32.max) else { return nil }  // BLAS takes 32-bit leading dimensions
        // Size-1 axes may carry any stride; BLAS only needs a valid leading dimension.
        if colStride == 1 || cols == 1, rowStride >= Swift.max(1, cols) || rows == 1 {
            return MatrixOperand(transpose: CblasNoTrans, ld: Int32(rows == 1 ? Swift.max(1, cols) : rowStride))
        }
        if rowStride == 1 || rows == 1, colStride >= Swift.max(1, rows) || cols == 1 {
            return MatrixOperand(transpose: CblasTrans, ld: Int32(cols == 1 ? Swift.max(1, rows) : colStride))
        }
        return nil
    }

    /// Batched `a @ b` for float32 operands of rank ≥ 2 whose batch axes broadcast to `batchShape`.
    /// Operands in row-major or transposed layouts go to `sgemm` as they are.
    /// `a · b` per batch entry; with `rowBias` (length n) every output row starts as the bias and SGEMM adds
    /// the product into it (beta = 1): no separate add pass, and no SGEMM pass zeroing C.
    static func matmul(_ a: Tensor, _ b: Tensor, batchShape: [Int], rowBias: Tensor? = nil) -> Tensor {
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1], n = b.shape[b.rank - 1]
        BLAS.prepare()
        guard m > 0, n > 0, k > 0 else { return Tensor(zeroed: batchShape + [m, n], dtype: .float32) }
        // SGEMM with beta = 0 writes every element of C without reading it.
        let out = Tensor(uninitialized: batchShape + [m, n], dtype: .float32)
        if let rowBias {
            let (source, target) = (rowBias.typedPointer(Float.self), out.typedPointer(Float.self))
            withExtendedLifetime(rowBias) {
                Parallel.forEachChunk(count: out.elementCount / n, grain: Swift.max(1, Parallel.defaultGrain / n)) { _, rows in
                    for row in rows { (target + row * n).update(from: source, count: n) }
                }
            }
        }
        let left = matrixOperand(strides: a.strides, rows: m, cols: k) == nil ? copyContiguous(a) : a
        let right = matrixOperand(strides: b.strides, rows: k, cols: n) == nil ? copyContiguous(b) : b
        guard let opA = matrixOperand(strides: left.strides, rows: m, cols: k),
              let opB = matrixOperand(strides: right.strides, rows: k, cols: n) else {
            preconditionFailure("contiguous matrices always have a BLAS layout")
        }
        let batchStridesA = Array(left.broadcastStrides(to: batchShape + [m, k]).dropLast(2))
        let batchStridesB = Array(right.broadcastStrides(to: batchShape + [k, n]).dropLast(2))
        let batches = Shape.elementCount(batchShape)
        let pa = left.typedPointer(Float.self), pb = right.typedPointer(Float.self), pc = out.typedPointer(Float.self)
        // Small products (attention heads) run several batch entries per parallel chunk; large ones one at a
        // time, each cut into tiles by `sgemm`. Either way every entry is one fixed computation.
        let perEntry = m * n * k
        let grain = perEntry >= gemmSplitThreshold ? batches : Swift.max(1, gemmSplitThreshold / perEntry)
        withExtendedLifetime((left, right)) { Parallel.forEachChunk(count: batches, grain: grain) { _, entries in
            for batch in entries {
                var remainder = batch, offsetA = 0, offsetB = 0
                for axis in stride(from: batchShape.count - 1, through: 0, by: -1) {
                    let index = remainder % batchShape[axis]
                    remainder /= batchShape[axis]
                    offsetA += index * batchStridesA[axis]
                    offsetB += index * batchStridesB[axis]
                }
                sgemm(opA.transpose, opB.transpose, Int32(m), Int32(n), Int32(k),
                            1, pa + offsetA, opA.ld, pb + offsetB, opB.ld, rowBias == nil ? 0 : 1, pc + batch * m * n, Int32(n))
            }
        } }
        return out
    }
}
