/// Errors from tensor operations. Each case names the operation and the offending shapes or values,
/// so a message read in a log says what to fix.
public enum TensorError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Two operands whose shapes do not fit together (broadcasting, matmul, elementwise).
    case shapeMismatch(op: String, lhs: [Int], rhs: [Int])
    /// An axis outside `-rank..<rank`.
    case invalidAxis(op: String, axis: Int, rank: Int)
    /// An operand of the wrong element type.
    case dtypeMismatch(op: String, expected: DType, actual: DType)
    /// A value count that does not match the product of a shape.
    case countMismatch(op: String, shape: [Int], count: Int)
    /// Any other argument that the operation cannot accept.
    case invalidArgument(op: String, reason: String)
    /// `backward()` on a tensor that no recorded operation produced from tensors requiring grad.
    case noGradient(reason: String)

    public var description: String {
        switch self {
        case .shapeMismatch(let op, let lhs, let rhs):
            return "\(op): shapes \(lhs) and \(rhs) do not match"
        case .invalidAxis(let op, let axis, let rank):
            return "\(op): axis \(axis) is out of range for a tensor of rank \(rank)"
        case .dtypeMismatch(let op, let expected, let actual):
            return "\(op): expected dtype \(expected), got \(actual)"
        case .countMismatch(let op, let shape, let count):
            let needed = Shape.checkedElementCount(shape).map(String.init) ?? "an impossible count"
            return "\(op): \(count) values cannot fill shape \(shape) (needs \(needed))"
        case .invalidArgument(let op, let reason):
            return "\(op): \(reason)"
        case .noGradient(let reason):
            return "backward: \(reason)"
        }
    }
}
