import Foundation

/// Element types with arithmetic. Integer arithmetic wraps on overflow (as NumPy and PyTorch do) instead of trapping.
@usableFromInline
protocol NumericElement: TensorElement, Comparable {
    static func add(_ a: Self, _ b: Self) -> Self
    static func sub(_ a: Self, _ b: Self) -> Self
    static func mul(_ a: Self, _ b: Self) -> Self
    /// Float: IEEE division. Integers: truncating; callers reject zero divisors first.
    static func div(_ a: Self, _ b: Self) -> Self
    /// NaN-propagating for Float (like `torch.maximum`).
    static func maximum(_ a: Self, _ b: Self) -> Self
    static func minimum(_ a: Self, _ b: Self) -> Self
}

extension Float: NumericElement {
    @inlinable static func add(_ a: Float, _ b: Float) -> Float { a + b }
    @inlinable static func sub(_ a: Float, _ b: Float) -> Float { a - b }
    @inlinable static func mul(_ a: Float, _ b: Float) -> Float { a * b }
    @inlinable static func div(_ a: Float, _ b: Float) -> Float { a / b }
    @inlinable static func maximum(_ a: Float, _ b: Float) -> Float { a.isNaN || b.isNaN ? .nan : (a > b ? a : b) }
    @inlinable static func minimum(_ a: Float, _ b: Float) -> Float { a.isNaN || b.isNaN ? .nan : (a < b ? a : b) }
}

extension Int32: NumericElement {
    @inlinable static func add(_ a: Int32, _ b: Int32) -> Int32 { a &+ b }
    @inlinable static func sub(_ a: Int32, _ b: Int32) -> Int32 { a &- b }
    @inlinable static func mul(_ a: Int32, _ b: Int32) -> Int32 { a &* b }
    @inlinable static func div(_ a: Int32, _ b: Int32) -> Int32 { a.dividedReportingOverflow(by: b).partialValue }
    @inlinable static func maximum(_ a: Int32, _ b: Int32) -> Int32 { Swift.max(a, b) }
    @inlinable static func minimum(_ a: Int32, _ b: Int32) -> Int32 { Swift.min(a, b) }
}

extension Int64: NumericElement {
    @inlinable static func add(_ a: Int64, _ b: Int64) -> Int64 { a &+ b }
    @inlinable static func sub(_ a: Int64, _ b: Int64) -> Int64 { a &- b }
    @inlinable static func mul(_ a: Int64, _ b: Int64) -> Int64 { a &* b }
    @inlinable static func div(_ a: Int64, _ b: Int64) -> Int64 { a.dividedReportingOverflow(by: b).partialValue }
    @inlinable static func maximum(_ a: Int64, _ b: Int64) -> Int64 { Swift.max(a, b) }
    @inlinable static func minimum(_ a: Int64, _ b: Int64) -> Int64 { Swift.min(a, b) }
}

// MARK: - Binary arithmetic, generic over the element type and the operation

@usableFromInline protocol ArithmeticKind { static func apply<T: NumericElement>(_ a: T, _ b: T) -> T }
@usableFromInline enum AddKind: ArithmeticKind { @inlinable static func apply<T: NumericElement>(_ a: T, _ b: T) -> T { T.add(a, b) } }
@usableFromInline enum SubKind: ArithmeticKind { @inlinable static func apply<T: NumericElement>(_ a: T, _ b: T) -> T { T.sub(a, b) } }
@usableFromInline enum MulKind: ArithmeticKind { @inlinable static func apply<T: NumericElement>(_ a: T, _ b: T) -> T { T.mul(a, b) } }
@usableFromInline enum DivKind: ArithmeticKind { @inlinable static func apply<T: NumericElement>(_ a: T, _ b: T) -> T { T.div(a, b) } }
@usableFromInline enum MaxKind: ArithmeticKind { @inlinable static func apply<T: NumericElement>(_ a: T, _ b: T) -> T { T.maximum(a, b) } }
@usableFromInline enum MinKind: ArithmeticKind { @inlinable static func apply<T: NumericElement>(_ a: T, _ b: T) -> T { T.minimum(a, b) } }

struct Arithmetic<T: NumericElement, Kind: ArithmeticKind>: BinaryKernel {
    @inline(__always) func callAsFunction(_ a: T, _ b: T) -> T { Kind.apply(a, b) }
}

struct PowKernel: BinaryKernel {
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { Foundation.pow(a, b) }
}

// MARK: - Comparisons (Bool results)

@usableFromInline protocol ComparisonKind { static func apply<T: Comparable>(_ a: T, _ b: T) -> Bool }
@usableFromInline enum EqualKind: ComparisonKind { @inlinable static func apply<T: Comparable>(_ a: T, _ b: T) -> Bool { a == b } }
@usableFromInline enum NotEqualKind: ComparisonKind { @inlinable static func apply<T: Comparable>(_ a: T, _ b: T) -> Bool { a != b } }
@usableFromInline enum LessKind: ComparisonKind { @inlinable static func apply<T: Comparable>(_ a: T, _ b: T) -> Bool { a < b } }
@usableFromInline enum LessEqualKind: ComparisonKind { @inlinable static func apply<T: Comparable>(_ a: T, _ b: T) -> Bool { a <= b } }
@usableFromInline enum GreaterKind: ComparisonKind { @inlinable static func apply<T: Comparable>(_ a: T, _ b: T) -> Bool { a > b } }
@usableFromInline enum GreaterEqualKind: ComparisonKind { @inlinable static func apply<T: Comparable>(_ a: T, _ b: T) -> Bool { a >= b } }

struct Comparison<T: Comparable, Kind: ComparisonKind>: BinaryKernel {
    @inline(__always) func callAsFunction(_ a: T, _ b: T) -> Bool { Kind.apply(a, b) }
}

/// Logical and/or on bool tensors, read as bytes (0/1).
struct LogicalAnd: BinaryKernel { @inline(__always) func callAsFunction(_ a: UInt8, _ b: UInt8) -> UInt8 { a & b } }
struct LogicalOr: BinaryKernel { @inline(__always) func callAsFunction(_ a: UInt8, _ b: UInt8) -> UInt8 { a | b } }
struct LogicalNot: UnaryKernel { @inline(__always) func callAsFunction(_ a: UInt8) -> UInt8 { a ^ 1 } }

// MARK: - Unary

/// Converts between element types (float → int truncates toward zero and saturates; int narrowing wraps).
struct Cast<In: TensorElement, Out: TensorElement>: UnaryKernel {
    @inline(__always) func callAsFunction(_ x: In) -> Out {
        if Out.self == Float.self || In.self == Float.self { return Out(fromFloat: x.floatValue) }
        return Out(fromInt64: x.int64Value)
    }
}

struct Clamp<T: NumericElement>: UnaryKernel {
    let low: T, high: T
    @inline(__always) func callAsFunction(_ x: T) -> T { T.minimum(T.maximum(x, low), high) }
}

struct Negate<T: NumericElement>: UnaryKernel {
    @inline(__always) func callAsFunction(_ x: T) -> T { T.sub(T(fromInt64: 0), x) }
}

struct Absolute<T: NumericElement>: UnaryKernel {
    @inline(__always) func callAsFunction(_ x: T) -> T { x < T(fromInt64: 0) ? T.sub(T(fromInt64: 0), x) : x }
}

struct Signum<T: NumericElement>: UnaryKernel {
    @inline(__always) func callAsFunction(_ x: T) -> T {
        let zero = T(fromInt64: 0)
        return x > zero ? T(fromInt64: 1) : (x < zero ? T(fromInt64: -1) : x)  // keeps ±0 and NaN as they are
    }
}

/// A float32 → float32 function; each op below is its own type so its loop is compiled separately.
protocol FloatFunction: UnaryKernel where In == Float, Out == Float {}

struct LogF: FloatFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.log(x) } }
struct SqrtF: FloatFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { x.squareRoot() } }
struct RsqrtF: FloatFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { 1 / x.squareRoot() } }
struct SinF: FloatFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.sin(x) } }
struct CosF: FloatFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.cos(x) } }
struct FloorF: FloatFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { x.rounded(.down) } }
/// Half to even, like NumPy and PyTorch.
struct RoundF: FloatFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { x.rounded(.toNearestOrEven) } }
struct SigmoidF: FloatFunction {
    // The two branches avoid exp overflow for large |x|.
    @inline(__always) func callAsFunction(_ x: Float) -> Float {
        if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }
}
struct ReluF: FloatFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { x > 0 ? x : (x.isNaN ? x : 0) } }
struct LeakyReluF: FloatFunction {
    let slope: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x > 0 ? x : x * slope }
}
struct SiluF: FloatFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { x * SigmoidF()(x) } }
// exp, tanh, sigmoid and GELU run vectorised: CPUKernels+VectorMath.swift.
