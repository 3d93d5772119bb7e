/// Factory functions. Shapes are programmer input: a negative dimension is a precondition failure.
extension Tensor {
    public static func zeros(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        Tensor(zeroed: shape, dtype: dtype)
    }

    public static func ones(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        switch dtype {
        case .float32: return full(shape, value: Float(1))
        case .int32: return full(shape, value: Int32(1))
        case .int64: return full(shape, value: Int64(1))
        case .bool: return full(shape, value: true)
        }
    }

    /// A float32 tensor filled with `value`.
    public static func full(_ shape: [Int], value: Float) -> Tensor {
        filled(shape, value: value)
    }

    /// A tensor of `T`'s dtype filled with `value`.
    public static func full<T: TensorElement>(_ shape: [Int], value: T) -> Tensor {
        filled(shape, value: value)
    }

    private static func filled<T: TensorElement>(_ shape: [Int], value: T) -> Tensor {
        let out = Tensor(uninitialized: shape, dtype: T.dtype)
        let pointer = out.typedPointer(T.self)
        Parallel.forEachChunk(count: out.elementCount) { _, range in
            (pointer + range.lowerBound).initialize(repeating: value, count: range.count)
        }
        return out
    }

    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape, dtype: other.dtype) }
    public static func ones(like other: Tensor) -> Tensor { ones(other.shape, dtype: other.dtype) }

    /// `start, start + step, …` up to but excluding `end` (float32), like `numpy.arange`.
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) throws -> Tensor {
        guard step != 0, step.isFinite, start.isFinite, end.isFinite else {
            throw TensorError.invalidArgument(op: "arange", reason: "start \(start), end \(end), step \(step) do not define a finite range")
        }
        let steps = ((Double(end) - Double(start)) / Double(step)).rounded(.up)
        guard steps < Double(Int32.max) else {
            throw TensorError.invalidArgument(op: "arange", reason: "start \(start), end \(end), step \(step) give \(steps) values")
        }
        let count = Swift.max(0, Int(steps))
        return Tensor((0..<count).map { Float(Double(start) + Double($0) * Double(step)) })
    }

    /// `0, 1, …, count - 1` as int64 (the index type).
    public static func arange(count: Int) -> Tensor {
        precondition(count >= 0, "arange(count:) needs a non-negative count")
        let out = Tensor(zeroed: [count], dtype: .int64)
        let pointer = out.typedPointer(Int64.self)
        for i in 0..<count { pointer[i] = Int64(i) }
        return out
    }

    /// `count` evenly spaced values from `start` to `end` inclusive, like `numpy.linspace`.
    public static func linspace(_ start: Float, _ end: Float, count: Int) throws -> Tensor {
        guard count >= 0 else { throw TensorError.invalidArgument(op: "linspace", reason: "count \(count) is negative") }
        if count == 1 { return Tensor([start]) }
        let step = (Double(end) - Double(start)) / Double(Swift.max(count - 1, 1))
        var values = (0..<count).map { Float(Double(start) + Double($0) * step) }
        if count > 1 { values[count - 1] = end }
        return Tensor(values)
    }

    /// An `n × m` float32 matrix with ones on the diagonal.
    public static func eye(_ n: Int, _ m: Int? = nil) -> Tensor {
        let cols = m ?? n
        let out = Tensor(zeroed: [n, cols], dtype: .float32)
        let pointer = out.typedPointer(Float.self)
        for i in 0..<Swift.min(n, cols) { pointer[i * cols + i] = 1 }
        return out
    }
}
