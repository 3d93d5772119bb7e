/// Row reductions over a contiguous `[rows, length]` buffer.
///
/// Each row is cut into blocks of `blockLength` elements; a block's partial is computed on one thread and a
/// row's partials are combined left to right. Blocks do not depend on the thread count, so the result
/// has the same bits whatever the parallelism.
extension CPUKernels {
    static let blockLength = 1 << 14

    /// `partial(row, pointer, count, firstIndexInRow)` per block, `combine` left to right per row.
    static func reduceRows<T, Acc>(_ data: UnsafePointer<T>, rows: Int, length: Int, empty: Acc,
                                   partial: (_ row: Int, _ start: UnsafePointer<T>, _ count: Int, _ firstIndex: Int) -> Acc,
                                   combine: (Acc, Acc) -> Acc) -> [Acc] {
        guard rows > 0 else { return [] }
        guard length > 0 else { return [Acc](repeating: empty, count: rows) }
        let blocksPerRow = (length + blockLength - 1) / blockLength
        let items = rows * blocksPerRow
        let perBlock = Swift.min(length, blockLength)
        let grain = Swift.max(1, Parallel.defaultGrain / perBlock)
        var partials = [Acc](repeating: empty, count: items)
        partials.withUnsafeMutableBufferPointer { slots in
            guard let out = slots.baseAddress else { return }
            Parallel.forEachChunk(count: items, grain: grain) { _, range in
                for item in range {
                    let row = item / blocksPerRow, block = item % blocksPerRow
                    let first = block * blockLength
                    let count = Swift.min(blockLength, length - first)
                    out[item] = partial(row, data + row * length + first, count, first)
                }
            }
        }
        if blocksPerRow == 1 { return partials }
        return (0..<rows).map { row in
            var acc = partials[row * blocksPerRow]
            for block in 1..<blocksPerRow { acc = combine(acc, partials[row * blocksPerRow + block]) }
            return acc
        }
    }

    /// Row sums of float32 data, accumulated in Double.
    static func sumRows(_ data: UnsafePointer<Float>, rows: Int, length: Int) -> [Double] {
        reduceRows(data, rows: rows, length: length, empty: 0.0, partial: { _, p, n, _ in
            // Four accumulators break the dependency chain so the loop pipelines.
            var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
            var i = 0
            while i + 4 <= n {
                s0 += Double(p[i]); s1 += Double(p[i + 1]); s2 += Double(p[i + 2]); s3 += Double(p[i + 3])
                i += 4
            }
            while i < n { s0 += Double(p[i]); i += 1 }
            return (s0 + s1) + (s2 + s3)
        }, combine: +)
    }

    /// Column sums of a row-major `rows × columns` float32 matrix in Double, each column added row by row
    /// (the bias gradient of a linear layer: the output gradient summed over every leading axis). Reads the
    /// data in place where `sumRows` would need it transposed; columns are split across threads, so each
    /// sum's order is fixed by the shape.
    static func sumColumns(_ data: UnsafePointer<Float>, rows: Int, columns: Int) -> [Double] {
        var sums = [Double](repeating: 0, count: columns)
        guard rows > 0, columns > 0 else { return sums }
        // Column blocks of 512 Doubles (4 KB) stay in L1 while every row streams past them.
        let block = 512
        sums.withUnsafeMutableBufferPointer { out in
            guard let base = out.baseAddress else { return }
            Parallel.forEachChunk(count: columns, grain: Swift.max(block, (Parallel.defaultGrain / rows + block - 1) / block * block)) { _, range in
                for start in stride(from: range.lowerBound, to: range.upperBound, by: block) {
                    let end = Swift.min(start + block, range.upperBound)
                    for row in 0..<rows {
                        let p = data + row * columns
                        for column in start..<end { base[column] += Double(p[column]) }
                    }
                }
            }
        }
        return sums
    }

    /// Row sums of integer data as Int64 (wrapping).
    static func sumRows<T: TensorElement>(_ data: UnsafePointer<T>, rows: Int, length: Int) -> [Int64] {
        reduceRows(data, rows: rows, length: length, empty: Int64(0), partial: { _, p, n, _ in
            var s: Int64 = 0
            for i in 0..<n { s &+= p[i].int64Value }
            return s
        }, combine: &+)
    }

    /// Sum of squared deviations from each row's `means`, in Double.
    static func squaredDeviationRows(_ data: UnsafePointer<Float>, rows: Int, length: Int, means: [Double]) -> [Double] {
        means.withUnsafeBufferPointer { mean in
            reduceRows(data, rows: rows, length: length, empty: 0.0, partial: { row, p, n, _ in
                let m = mean[row]
                var s = 0.0
                for i in 0..<n {
                    let d = Double(p[i]) - m
                    s += d * d
                }
                return s
            }, combine: +)
        }
    }

    /// Row products in Double (float32 data) — values beyond Float range become ±inf when stored.
    static func prodRows(_ data: UnsafePointer<Float>, rows: Int, length: Int) -> [Double] {
        reduceRows(data, rows: rows, length: length, empty: 1.0, partial: { _, p, n, _ in
            var s = 1.0
            for i in 0..<n { s *= Double(p[i]) }
            return s
        }, combine: *)
    }

    static func prodRows<T: TensorElement>(_ data: UnsafePointer<T>, rows: Int, length: Int) -> [Int64] {
        reduceRows(data, rows: rows, length: length, empty: Int64(1), partial: { _, p, n, _ in
            var s: Int64 = 1
            for i in 0..<n { s &*= p[i].int64Value }
            return s
        }, combine: &*)
    }

    /// Per row, the largest (`greatest`) or smallest value and the first index holding it. NaN wins over
    /// every number (as in PyTorch); the first NaN's index is returned.
    static func extremumRows<T: NumericElement>(_ data: UnsafePointer<T>, rows: Int, length: Int, greatest: Bool) -> [(value: T, index: Int)] {
        @inline(__always) func better(_ candidate: T, than current: T) -> Bool {
            if current != current { return false }  // current is NaN
            if candidate != candidate { return true }
            return greatest ? candidate > current : candidate < current
        }
        let seed = (value: T(fromInt64: 0), index: -1)
        return reduceRows(data, rows: rows, length: length, empty: seed, partial: { _, p, n, first in
            var best = p[0], bestIndex = 0
            for i in 1..<Swift.max(n, 1) where better(p[i], than: best) {
                best = p[i]
                bestIndex = i
            }
            return (best, first + bestIndex)
        }, combine: { a, b in better(b.value, than: a.value) ? b : a })
    }

    /// For each element, the product of the other elements of its row (gradient of prod, exact with zeros).
    static func productOfOthers(_ data: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, rows: Int, length: Int) {
        Parallel.forEachChunk(count: rows, grain: Swift.max(1, Parallel.defaultGrain / Swift.max(length, 1))) { _, range in
            for row in range {
                let x = data + row * length, o = out + row * length
                var prefix = 1.0
                for i in 0..<length {
                    o[i] = Float(prefix)
                    prefix *= Double(x[i])
                }
                var suffix = 1.0
                for i in stride(from: length - 1, through: 0, by: -1) {
                    o[i] = Float(Double(o[i]) * suffix)
                    suffix *= Double(x[i])
                }
            }
        }
    }
}
