/// Walks several operands of one logical shape, each with its own strides, row by row.
///
/// Axes of size 1 are dropped and adjacent axes merged where every operand is contiguous across them, so
/// a contiguous tensor becomes one long row and kernels see long unit-stride inner loops.
@usableFromInline
struct StridedPlan {
    /// Coalesced shape (rank ≥ 1).
    let shape: [Int]
    /// Coalesced strides per operand.
    let strides: [[Int]]
    /// Innermost stride per operand.
    let inner: [Int]

    init(shape fullShape: [Int], strides fullStrides: [[Int]]) {
        var dims: [Int] = []
        var merged = [[Int]](repeating: [], count: fullStrides.count)
        for axis in 0..<fullShape.count where fullShape[axis] != 1 {
            let size = fullShape[axis]
            let canMerge = !dims.isEmpty && fullStrides.indices.allSatisfy { op in
                merged[op][merged[op].count - 1] == size * fullStrides[op][axis]
            }
            if canMerge {
                dims[dims.count - 1] *= size
                for op in fullStrides.indices { merged[op][merged[op].count - 1] = fullStrides[op][axis] }
            } else {
                dims.append(size)
                for op in fullStrides.indices { merged[op].append(fullStrides[op][axis]) }
            }
        }
        if dims.isEmpty {
            dims = [1]
            merged = merged.map { _ in [0] }
        }
        shape = dims
        strides = merged
        inner = merged.map { $0[$0.count - 1] }
    }

    /// Calls `body(offsets, n)` for each run of up to one row inside the row-major element `range`;
    /// `offsets[k]` is operand k's element offset of the run's first element.
    @inline(__always)
    func forEachRow(in range: Range<Int>, _ body: (UnsafeMutablePointer<Int>, Int) -> Void) {
        let rank = shape.count
        let operands = strides.count
        withUnsafeTemporaryAllocation(of: Int.self, capacity: rank + operands) { buffer in
            guard let index = buffer.baseAddress else { return }
            let offsets = index + rank
            for op in 0..<operands { offsets[op] = 0 }
            var remainder = range.lowerBound
            for axis in stride(from: rank - 1, through: 0, by: -1) {
                index[axis] = remainder % shape[axis]
                remainder /= shape[axis]
                for op in 0..<operands { offsets[op] += index[axis] * strides[op][axis] }
            }
            var left = range.count
            let last = rank - 1
            while left > 0 {
                let n = min(shape[last] - index[last], left)
                body(offsets, n)
                left -= n
                index[last] += n
                for op in 0..<operands { offsets[op] += n * inner[op] }
                var axis = last
                while axis > 0, index[axis] == shape[axis] {
                    for op in 0..<operands { offsets[op] -= shape[axis] * strides[op][axis] }
                    index[axis] = 0
                    axis -= 1
                    index[axis] += 1
                    for op in 0..<operands { offsets[op] += strides[op][axis] }
                }
            }
        }
    }
}

extension Tensor {
    /// Strides that read this tensor as if broadcast to `target` (0 on stretched or missing axes).
    /// The caller has checked that the shapes broadcast.
    @usableFromInline
    func broadcastStrides(to target: [Int]) -> [Int] {
        var result = [Int](repeating: 0, count: target.count)
        let shift = target.count - rank
        for axis in 0..<rank where shape[axis] == target[axis + shift] && shape[axis] != 1 {
            result[axis + shift] = strides[axis]
        }
        return result
    }
}
