/// Shared plumbing for the indexing, sorting, joining and padding ops: axis layouts, index validation
/// and a strided position walker. Kernels work on contiguous data and raw pointers, once per call.

/// A contiguous tensor seen as `[outer, size, inner]` around one axis.
struct AxisLayout {
    let outer: Int
    let size: Int
    let inner: Int

    init(shape: [Int], axis: Int) {
        outer = shape[..<axis].reduce(1, *)
        size = shape[axis]
        inner = shape[(axis + 1)...].reduce(1, *)
    }
}

extension Tensor {
    /// The values of an int32 or int64 index tensor as `Int`s (row-major), each checked against `0..<bound`.
    func indexValues(op: String, bound: Int, axis: Int, inputShape: [Int]) throws -> [Int] {
        let values: [Int]
        switch dtype {
        case .int64: values = try toArray(Int64.self).map { Int($0) }
        case .int32: values = try toArray(Int32.self).map { Int($0) }
        default: throw TensorError.dtypeMismatch(op: op, expected: .int64, actual: dtype)
        }
        if let bad = values.first(where: { $0 < 0 || $0 >= bound }) {
            throw TensorError.invalidArgument(op: op, reason: "index \(bad) is out of range for axis \(axis) of size \(bound) (shape \(inputShape))")
        }
        return values
    }
}

/// Visits every position of `shape` in row-major order with its offsets under two stride sets
/// (in elements): `body(linear, offsetA, offsetB)`. The innermost axis runs as a tight loop.
func forEachPosition(shape: [Int], stridesA: [Int], stridesB: [Int], _ body: (Int, Int, Int) -> Void) {
    let count = shape.reduce(1, *)
    guard count > 0 else { return }
    guard let last = shape.indices.last else {
        body(0, 0, 0)
        return
    }
    let (innerCount, innerA, innerB) = (shape[last], stridesA[last], stridesB[last])
    var coordinates = [Int](repeating: 0, count: shape.count)
    var (a, b, linear) = (0, 0, 0)
    while linear < count {
        for i in 0..<innerCount { body(linear + i, a + i * innerA, b + i * innerB) }
        linear += innerCount
        // Carry into the outer axes.
        var axis = last - 1
        while axis >= 0 {
            coordinates[axis] += 1
            a += stridesA[axis]
            b += stridesB[axis]
            if coordinates[axis] < shape[axis] { break }
            a -= stridesA[axis] * shape[axis]
            b -= stridesB[axis] * shape[axis]
            coordinates[axis] = 0
            axis -= 1
        }
    }
}

/// Element type with the same width as `dtype`, for kernels that only move bit patterns.
enum ElementWidth {
    case one, four, eight

    init(_ dtype: DType) {
        switch dtype.byteSize {
        case 1: self = .one
        case 4: self = .four
        default: self = .eight
        }
    }
}
