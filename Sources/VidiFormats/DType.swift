/// Element types a `Tensor` can hold. Models use `float32`; the integer types carry indices and labels,
/// `bool` carries masks (one byte per element, 0 or 1).
public enum DType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case float32, int32, int64, bool

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float32, .int32: return 4
        case .int64: return 8
        case .bool: return 1
        }
    }

    public var isFloatingPoint: Bool { self == .float32 }

    /// The `.npy` descriptor (little-endian) for this dtype.
    public var npyDescriptor: String {
        switch self {
        case .float32: return "<f4"
        case .int32: return "<i4"
        case .int64: return "<i8"
        case .bool: return "|b1"
        }
    }

    public var description: String { rawValue }
}

/// A Swift type that is the element type of one `DType`. Lets typed accessors
/// (`toArray(Float.self)`, `withUnsafeBufferPointer(as:)`) check the dtype at run time.
public protocol TensorElement: Sendable, Equatable {
    static var dtype: DType { get }
    /// Conversion used by casts and by `scalars` (bool → 0/1).
    var floatValue: Float { get }
    init(fromFloat value: Float)
    /// Conversion used by integer casts (wraps like NumPy's `astype` when narrowing).
    var int64Value: Int64 { get }
    init(fromInt64 value: Int64)
}

extension Float: TensorElement {
    public static var dtype: DType { .float32 }
    @inlinable public var floatValue: Float { self }
    @inlinable public init(fromFloat value: Float) { self = value }
    @inlinable public var int64Value: Int64 { Int64(fromFloat: self) }
    @inlinable public init(fromInt64 value: Int64) { self = Float(value) }
}

extension Int32: TensorElement {
    public static var dtype: DType { .int32 }
    @inlinable public var floatValue: Float { Float(self) }
    /// Truncates toward zero; saturates out-of-range and NaN values instead of trapping.
    @inlinable public init(fromFloat value: Float) {
        if value.isNaN { self = 0 } else if value >= 2_147_483_648 { self = .max } else if value <= -2_147_483_648 { self = .min } else { self = Int32(value) }
    }
    @inlinable public var int64Value: Int64 { Int64(self) }
    @inlinable public init(fromInt64 value: Int64) { self = Int32(truncatingIfNeeded: value) }
}

extension Int64: TensorElement {
    public static var dtype: DType { .int64 }
    @inlinable public var floatValue: Float { Float(self) }
    @inlinable public init(fromFloat value: Float) {
        if value.isNaN { self = 0 } else if value >= 0x1p63 { self = .max } else if value <= -0x1p63 { self = .min } else { self = Int64(value) }
    }
    @inlinable public var int64Value: Int64 { self }
    @inlinable public init(fromInt64 value: Int64) { self = value }
}

extension Bool: TensorElement {
    public static var dtype: DType { .bool }
    @inlinable public var floatValue: Float { self ? 1 : 0 }
    @inlinable public init(fromFloat value: Float) { self = value != 0 }
    @inlinable public var int64Value: Int64 { self ? 1 : 0 }
    @inlinable public init(fromInt64 value: Int64) { self = value != 0 }
}
