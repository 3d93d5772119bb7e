/// Elementwise binary arithmetic with NumPy broadcasting. Operands must share a dtype (no implicit
/// promotion); scalars adopt the tensor's dtype.
extension Tensor {
    /// Computes `Kind` elementwise on the broadcast operands (no autograd).
    func arithmeticValue<Kind: ArithmeticKind>(_ kind: Kind.Type, _ other: Tensor, op: String) throws -> Tensor {
        guard dtype == other.dtype else { throw TensorError.dtypeMismatch(op: op, expected: dtype, actual: other.dtype) }
        let shape = try Shape.broadcast(self.shape, other.shape, op: op)
        switch dtype {
        case .float32: return CPUKernels.zip(self, other, shape: shape, outDType: dtype, Arithmetic<Float, Kind>())
        case .int32: return CPUKernels.zip(self, other, shape: shape, outDType: dtype, Arithmetic<Int32, Kind>())
        case .int64: return CPUKernels.zip(self, other, shape: shape, outDType: dtype, Arithmetic<Int64, Kind>())
        case .bool: throw TensorError.dtypeMismatch(op: op, expected: .float32, actual: .bool)
        }
    }

    /// A rank-0 tensor of this tensor's dtype holding `value`; integer tensors need an integral value.
    func scalarLike(_ value: Float, op: String) throws -> Tensor {
        switch dtype {
        case .float32: return Tensor(value)
        case .int32, .int64:
            guard value.rounded() == value, Swift.abs(value) < 9.2e18 else {
                throw TensorError.invalidArgument(op: op, reason: "scalar \(value) is not an integer, but the tensor is \(dtype)")
            }
            return dtype == .int32 ? Tensor(scalar: Int32(fromFloat: value)) : Tensor(scalar: Int64(fromFloat: value))
        case .bool:
            throw TensorError.dtypeMismatch(op: op, expected: .float32, actual: .bool)
        }
    }

    public func adding(_ other: Tensor) throws -> Tensor {
        let out = try arithmeticValue(AddKind.self, other, op: "add")
        let (shapeA, shapeB) = (shape, other.shape)
        return Autograd.record(out, op: "add", inputs: [self, other]) { g in
            [try g.sum(toShape: shapeA), try g.sum(toShape: shapeB)]
        }
    }

    public func subtracting(_ other: Tensor) throws -> Tensor {
        let out = try arithmeticValue(SubKind.self, other, op: "sub")
        let (shapeA, shapeB) = (shape, other.shape)
        return Autograd.record(out, op: "sub", inputs: [self, other]) { g in
            [try g.sum(toShape: shapeA), try g.negated().sum(toShape: shapeB)]
        }
    }

    public func multiplying(_ other: Tensor) throws -> Tensor {
        let out = try arithmeticValue(MulKind.self, other, op: "mul")
        let a = self.detached(), b = other.detached()
        let (needA, needB) = (requiresGrad, other.requiresGrad)
        return Autograd.record(out, op: "mul", inputs: [self, other]) { g in
            [needA ? try (g * b).sum(toShape: a.shape) : nil,
             needB ? try (g * a).sum(toShape: b.shape) : nil]
        }
    }

    /// Float division, or truncating integer division (throws on an integer zero divisor).
    public func dividing(_ other: Tensor) throws -> Tensor {
        if dtype != .float32, dtype == other.dtype, try other.eq(scalarLike(0, op: "div")).any() {
            throw TensorError.invalidArgument(op: "div", reason: "integer division by zero")
        }
        let out = try arithmeticValue(DivKind.self, other, op: "div")
        let a = self.detached(), b = other.detached()
        let (needA, needB) = (requiresGrad, other.requiresGrad)
        return Autograd.record(out, op: "div", inputs: [self, other]) { g in
            [needA ? try (g / b).sum(toShape: a.shape) : nil,
             needB ? try (g.negated() * a / (b * b)).sum(toShape: b.shape) : nil]
        }
    }

    /// Elementwise maximum (NaN-propagating); ties send half the gradient to each side, like PyTorch.
    public func maximum(_ other: Tensor) throws -> Tensor {
        try extremum(MaxKind.self, other, op: "maximum", greater: true)
    }

    /// Elementwise minimum (NaN-propagating).
    public func minimum(_ other: Tensor) throws -> Tensor {
        try extremum(MinKind.self, other, op: "minimum", greater: false)
    }

    private func extremum<Kind: ArithmeticKind>(_ kind: Kind.Type, _ other: Tensor, op: String, greater: Bool) throws -> Tensor {
        let out = try arithmeticValue(kind, other, op: op)
        let a = self.detached(), b = other.detached()
        return Autograd.record(out, op: op, inputs: [self, other]) { g in
            let wins = try (greater ? a.gt(b) : a.lt(b)).to(.float32)
            let ties = try a.eq(b).to(.float32)
            let shareA = try wins + ties * 0.5
            let shareB = try (1 - wins) - ties * 0.5
            return [try (g * shareA).sum(toShape: a.shape), try (g * shareB).sum(toShape: b.shape)]
        }
    }

    /// `self ** exponent` elementwise (float32).
    public func pow(_ exponent: Tensor) throws -> Tensor {
        guard dtype == .float32 else { throw TensorError.dtypeMismatch(op: "pow", expected: .float32, actual: dtype) }
        guard exponent.dtype == .float32 else { throw TensorError.dtypeMismatch(op: "pow", expected: .float32, actual: exponent.dtype) }
        let shape = try Shape.broadcast(self.shape, exponent.shape, op: "pow")
        let out = CPUKernels.zip(self, exponent, shape: shape, outDType: .float32, PowKernel())
        let a = self.detached(), b = exponent.detached(), result = out
        let (needA, needB) = (requiresGrad, exponent.requiresGrad)
        return Autograd.record(out, op: "pow", inputs: [self, exponent]) { g in
            [needA ? try (g * b * a.pow(b - 1)).sum(toShape: a.shape) : nil,
             // d/db a^b = a^b·ln a; taken as 0 where a == 0 (PyTorch's convention).
             needB ? try (g * Tensor.where(a.eq(0), Tensor(0), result * a.log())).sum(toShape: b.shape) : nil]
        }
    }

    public func pow(_ exponent: Float) throws -> Tensor {
        try pow(Tensor(exponent))
    }

    /// Limits values to `[low, high]` (either bound optional); the gradient passes where `low ≤ x ≤ high`.
    public func clamp(min low: Float? = nil, max high: Float? = nil) throws -> Tensor {
        let lo = try scalarLike(low ?? 0, op: "clamp"), hi = try scalarLike(high ?? 0, op: "clamp")
        let out: Tensor
        switch dtype {
        case .float32:
            out = CPUKernels.map(self, outDType: dtype, Clamp<Float>(low: low ?? -.infinity, high: high ?? .infinity))
        case .int32:
            out = CPUKernels.map(self, outDType: dtype, Clamp<Int32>(low: low == nil ? .min : try lo.item(Int32.self), high: high == nil ? .max : try hi.item(Int32.self)))
        case .int64:
            out = CPUKernels.map(self, outDType: dtype, Clamp<Int64>(low: low == nil ? .min : try lo.item(Int64.self), high: high == nil ? .max : try hi.item(Int64.self)))
        case .bool:
            throw TensorError.dtypeMismatch(op: "clamp", expected: .float32, actual: .bool)
        }
        let x = self.detached()
        return Autograd.record(out, op: "clamp", inputs: [self]) { g in
            var inside = Tensor.full(x.shape, value: true)
            if let low { inside = try inside.logicalAnd(x.ge(low)) }
            if let high { inside = try inside.logicalAnd(x.le(high)) }
            return [try g * inside.to(.float32)]
        }
    }
}

// MARK: - Operators (`try a + b`)

extension Tensor {
    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try a.adding(b) }
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try a.subtracting(b) }
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try a.multiplying(b) }
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try a.dividing(b) }

    public static func + (a: Tensor, b: Float) throws -> Tensor { try a.adding(a.scalarLike(b, op: "add")) }
    public static func - (a: Tensor, b: Float) throws -> Tensor { try a.subtracting(a.scalarLike(b, op: "sub")) }
    public static func * (a: Tensor, b: Float) throws -> Tensor { try a.multiplying(a.scalarLike(b, op: "mul")) }
    public static func / (a: Tensor, b: Float) throws -> Tensor { try a.dividing(a.scalarLike(b, op: "div")) }

    public static func + (a: Float, b: Tensor) throws -> Tensor { try b.scalarLike(a, op: "add").adding(b) }
    public static func - (a: Float, b: Tensor) throws -> Tensor { try b.scalarLike(a, op: "sub").subtracting(b) }
    public static func * (a: Float, b: Tensor) throws -> Tensor { try b.scalarLike(a, op: "mul").multiplying(b) }
    public static func / (a: Float, b: Tensor) throws -> Tensor { try b.scalarLike(a, op: "div").dividing(b) }

    public static prefix func - (a: Tensor) throws -> Tensor { try a.negated() }

    /// `a = try a + b`; a new value (and autograd node), not an in-place write.
    public static func += (a: inout Tensor, b: Tensor) throws { a = try a + b }
    public static func -= (a: inout Tensor, b: Tensor) throws { a = try a - b }
    public static func *= (a: inout Tensor, b: Tensor) throws { a = try a * b }
    public static func /= (a: inout Tensor, b: Tensor) throws { a = try a / b }
    public static func += (a: inout Tensor, b: Float) throws { a = try a + b }
    public static func -= (a: inout Tensor, b: Float) throws { a = try a - b }
    public static func *= (a: inout Tensor, b: Float) throws { a = try a * b }
    public static func /= (a: inout Tensor, b: Float) throws { a = try a / b }
}
