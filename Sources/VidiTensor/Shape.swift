/// Shape arithmetic shared by views, broadcasting and kernels.
public enum Shape {
    /// Row-major strides (in elements) for a contiguous tensor of `shape`.
    @inlinable
    public static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= max(shape[axis], 1)
        }
        return strides
    }

    @inlinable
    public static func elementCount(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// The element count of `shape`, or nil when a dimension is negative or the product overflows
    /// (for shapes that come from input: file headers, user arguments).
    public static func checkedElementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for dim in shape {
            guard dim >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }

    /// NumPy broadcasting: align trailing axes; each pair must be equal or contain a 1.
    public static func broadcast(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 {
                out[i] = da
            } else if da == 1 {
                out[i] = db
            } else {
                throw TensorError.shapeMismatch(op: op, lhs: a, rhs: b)
            }
        }
        return out
    }

    /// Maps a possibly negative axis into `0..<rank`.
    @inlinable
    public static func normalizeAxis(_ axis: Int, rank: Int, op: String) throws -> Int {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0, a < rank else { throw TensorError.invalidAxis(op: op, axis: axis, rank: rank) }
        return a
    }

    /// Normalised, sorted, de-duplicated axes; `nil` means all axes.
    public static func normalizeAxes(_ axes: [Int]?, rank: Int, op: String) throws -> [Int] {
        guard let axes else { return Array(0..<rank) }
        let normalized = try axes.map { try normalizeAxis($0, rank: rank, op: op) }
        guard Set(normalized).count == normalized.count else {
            throw TensorError.invalidArgument(op: op, reason: "axis listed twice in \(axes)")
        }
        return normalized.sorted()
    }
}
