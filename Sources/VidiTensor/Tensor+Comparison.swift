/// Elementwise comparisons (→ bool tensors), logical ops on masks, `where` and `maskedFill`.
extension Tensor {
    private func compare<Kind: ComparisonKind>(_ kind: Kind.Type, _ other: Tensor, op: String) throws -> Tensor {
        guard dtype == other.dtype else { throw TensorError.dtypeMismatch(op: op, expected: dtype, actual: other.dtype) }
        let shape = try Shape.broadcast(self.shape, other.shape, op: op)
        switch dtype {
        case .float32: return CPUKernels.zip(self, other, shape: shape, outDType: .bool, Comparison<Float, Kind>())
        case .int32: return CPUKernels.zip(self, other, shape: shape, outDType: .bool, Comparison<Int32, Kind>())
        case .int64: return CPUKernels.zip(self, other, shape: shape, outDType: .bool, Comparison<Int64, Kind>())
        case .bool: return CPUKernels.zip(self, other, shape: shape, outDType: .bool, Comparison<UInt8, Kind>())
        }
    }

    /// A scalar of this dtype for comparisons; bool tensors compare with 0/1.
    private func comparand(_ value: Float, op: String) throws -> Tensor {
        dtype == .bool ? Tensor(scalar: value != 0) : try scalarLike(value, op: op)
    }

    public func eq(_ other: Tensor) throws -> Tensor { try compare(EqualKind.self, other, op: "eq") }
    public func ne(_ other: Tensor) throws -> Tensor { try compare(NotEqualKind.self, other, op: "ne") }
    public func lt(_ other: Tensor) throws -> Tensor { try compare(LessKind.self, other, op: "lt") }
    public func le(_ other: Tensor) throws -> Tensor { try compare(LessEqualKind.self, other, op: "le") }
    public func gt(_ other: Tensor) throws -> Tensor { try compare(GreaterKind.self, other, op: "gt") }
    public func ge(_ other: Tensor) throws -> Tensor { try compare(GreaterEqualKind.self, other, op: "ge") }

    public func eq(_ value: Float) throws -> Tensor { try eq(comparand(value, op: "eq")) }
    public func ne(_ value: Float) throws -> Tensor { try ne(comparand(value, op: "ne")) }
    public func lt(_ value: Float) throws -> Tensor { try lt(comparand(value, op: "lt")) }
    public func le(_ value: Float) throws -> Tensor { try le(comparand(value, op: "le")) }
    public func gt(_ value: Float) throws -> Tensor { try gt(comparand(value, op: "gt")) }
    public func ge(_ value: Float) throws -> Tensor { try ge(comparand(value, op: "ge")) }

    public static func .== (a: Tensor, b: Tensor) throws -> Tensor { try a.eq(b) }
    public static func .!= (a: Tensor, b: Tensor) throws -> Tensor { try a.ne(b) }
    public static func .< (a: Tensor, b: Tensor) throws -> Tensor { try a.lt(b) }
    public static func .<= (a: Tensor, b: Tensor) throws -> Tensor { try a.le(b) }
    public static func .> (a: Tensor, b: Tensor) throws -> Tensor { try a.gt(b) }
    public static func .>= (a: Tensor, b: Tensor) throws -> Tensor { try a.ge(b) }

    private func logical<K: BinaryKernel>(_ other: Tensor, op: String, _ kernel: K) throws -> Tensor where K.In == UInt8, K.Out == UInt8 {
        guard dtype == .bool else { throw TensorError.dtypeMismatch(op: op, expected: .bool, actual: dtype) }
        guard other.dtype == .bool else { throw TensorError.dtypeMismatch(op: op, expected: .bool, actual: other.dtype) }
        let shape = try Shape.broadcast(self.shape, other.shape, op: op)
        return CPUKernels.zip(self, other, shape: shape, outDType: .bool, kernel)
    }

    public func logicalAnd(_ other: Tensor) throws -> Tensor { try logical(other, op: "logicalAnd", LogicalAnd()) }
    public func logicalOr(_ other: Tensor) throws -> Tensor { try logical(other, op: "logicalOr", LogicalOr()) }
    public func logicalNot() throws -> Tensor {
        guard dtype == .bool else { throw TensorError.dtypeMismatch(op: "logicalNot", expected: .bool, actual: dtype) }
        return CPUKernels.map(self, outDType: .bool, LogicalNot())
    }

    /// True if any element of a bool tensor is true.
    public func any() throws -> Bool {
        guard dtype == .bool else { throw TensorError.dtypeMismatch(op: "any", expected: .bool, actual: dtype) }
        return try withUnsafeBufferPointer(as: Bool.self) { $0.contains(true) }
    }

    /// True if every element of a bool tensor is true (also for an empty tensor).
    public func all() throws -> Bool {
        guard dtype == .bool else { throw TensorError.dtypeMismatch(op: "all", expected: .bool, actual: dtype) }
        return try withUnsafeBufferPointer(as: Bool.self) { !$0.contains(false) }
    }

    /// Elementwise `condition ? a : b`, all three broadcast together; `a` and `b` share a dtype.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard condition.dtype == .bool else { throw TensorError.dtypeMismatch(op: "where", expected: .bool, actual: condition.dtype) }
        guard a.dtype == b.dtype else { throw TensorError.dtypeMismatch(op: "where", expected: a.dtype, actual: b.dtype) }
        let shape = try Shape.broadcast(Shape.broadcast(condition.shape, a.shape, op: "where"), b.shape, op: "where")
        let out = CPUKernels.select(condition, a, b, shape: shape)
        let cond = condition, (shapeA, shapeB) = (a.shape, b.shape)
        return Autograd.record(out, op: "where", inputs: [a, b]) { g in
            let zero = Tensor.zeros([])
            return [try Tensor.where(cond, g, zero).sum(toShape: shapeA), try Tensor.where(cond, zero, g).sum(toShape: shapeB)]
        }
    }

    /// This tensor with `value` wherever `mask` (broadcast to this shape) is true.
    public func maskedFill(_ mask: Tensor, value: Float) throws -> Tensor {
        let merged = try Shape.broadcast(shape, mask.shape, op: "maskedFill")
        guard merged == shape else { throw TensorError.shapeMismatch(op: "maskedFill", lhs: shape, rhs: mask.shape) }
        return try Tensor.where(mask, try scalarLike(value, op: "maskedFill"), self)
    }
}
