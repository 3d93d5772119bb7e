/// Elementwise unary functions. Transcendental ones are float32-only.
extension Tensor {
    /// How `gelu` evaluates the Gaussian CDF.
    public enum GELUApproximation: Sendable { case none, tanh }

    func requireFloat(_ op: String) throws {
        guard dtype == .float32 else { throw TensorError.dtypeMismatch(op: op, expected: .float32, actual: dtype) }
    }

    /// Applies a float32 function and records `backward(g, x, out)` as its gradient.
    private func floatUnary<F: FloatFunction>(_ op: String, _ function: F,
                                              backward: @escaping @Sendable (_ g: Tensor, _ x: Tensor, _ out: Tensor) throws -> Tensor) throws -> Tensor {
        try requireFloat(op)
        let out = CPUKernels.map(self, outDType: .float32, function)
        let x = self.detached()
        return Autograd.record(out, op: op, inputs: [self]) { [out] g in [try backward(g, x, out)] }
    }

    /// Applies a vectorised float32 function (CVectorMath) and records `backward(g, x, out)` as its gradient.
    private func floatVector(_ op: String, _ function: VectorFunction,
                             backward: @escaping @Sendable (_ g: Tensor, _ x: Tensor, _ out: Tensor) throws -> Tensor) throws -> Tensor {
        try requireFloat(op)
        let out = CPUKernels.map(self, function)
        let x = self.detached()
        return Autograd.record(out, op: op, inputs: [self]) { [out] g in [try backward(g, x, out)] }
    }

    /// Applies a numeric function to float32, int32 or int64 tensors.
    private func numericValue(_ op: String, float: (Tensor) -> Tensor, int32: (Tensor) -> Tensor, int64: (Tensor) -> Tensor) throws -> Tensor {
        switch dtype {
        case .float32: return float(self)
        case .int32: return int32(self)
        case .int64: return int64(self)
        case .bool: throw TensorError.dtypeMismatch(op: op, expected: .float32, actual: .bool)
        }
    }

    public func negated() throws -> Tensor {
        let out = try numericValue("neg",
                                   float: { CPUKernels.map($0, outDType: .float32, Negate<Float>()) },
                                   int32: { CPUKernels.map($0, outDType: .int32, Negate<Int32>()) },
                                   int64: { CPUKernels.map($0, outDType: .int64, Negate<Int64>()) })
        return Autograd.record(out, op: "neg", inputs: [self]) { g in [try g.negated()] }
    }

    public func abs() throws -> Tensor {
        let out = try numericValue("abs",
                                   float: { CPUKernels.map($0, outDType: .float32, Absolute<Float>()) },
                                   int32: { CPUKernels.map($0, outDType: .int32, Absolute<Int32>()) },
                                   int64: { CPUKernels.map($0, outDType: .int64, Absolute<Int64>()) })
        let x = detached()
        return Autograd.record(out, op: "abs", inputs: [self]) { g in [try g * x.sign()] }
    }

    /// -1, 0 or 1 (NaN stays NaN); gradient zero.
    public func sign() throws -> Tensor {
        let out = try numericValue("sign",
                                   float: { CPUKernels.map($0, outDType: .float32, Signum<Float>()) },
                                   int32: { CPUKernels.map($0, outDType: .int32, Signum<Int32>()) },
                                   int64: { CPUKernels.map($0, outDType: .int64, Signum<Int64>()) })
        return Autograd.record(out, op: "sign", inputs: [self]) { g in [Tensor.zeros(g.shape)] }
    }

    public func exp() throws -> Tensor { try floatVector("exp", .exp) { g, _, out in try g * out } }
    public func log() throws -> Tensor { try floatUnary("log", LogF()) { g, x, _ in try g / x } }
    public func sqrt() throws -> Tensor { try floatUnary("sqrt", SqrtF()) { g, _, out in try g * 0.5 / out } }
    public func rsqrt() throws -> Tensor { try floatUnary("rsqrt", RsqrtF()) { g, _, out in try g * -0.5 * out * out * out } }
    public func tanh() throws -> Tensor { try floatVector("tanh", .tanh) { g, _, out in try g * (1 - out * out) } }
    public func sigmoid() throws -> Tensor { try floatVector("sigmoid", .sigmoid) { g, _, out in try g * out * (1 - out) } }
    public func sin() throws -> Tensor { try floatUnary("sin", SinF()) { g, x, _ in try g * x.cos() } }
    public func cos() throws -> Tensor { try floatUnary("cos", CosF()) { g, x, _ in try g * x.sin().negated() } }
    public func floor() throws -> Tensor { try floatUnary("floor", FloorF()) { g, _, _ in Tensor.zeros(g.shape) } }
    /// Rounds half to even, like NumPy and PyTorch.
    public func round() throws -> Tensor { try floatUnary("round", RoundF()) { g, _, _ in Tensor.zeros(g.shape) } }

    /// max(x, 0); gradient 0 at x = 0 (PyTorch's choice).
    public func relu() throws -> Tensor {
        try floatUnary("relu", ReluF()) { g, x, _ in try g * x.gt(0).to(.float32) }
    }

    public func leakyRelu(negativeSlope: Float = 0.01) throws -> Tensor {
        try floatUnary("leakyRelu", LeakyReluF(slope: negativeSlope)) { g, x, _ in
            try g * Tensor.where(x.gt(0), Tensor(1), Tensor(negativeSlope))
        }
    }

    /// x·sigmoid(x).
    public func silu() throws -> Tensor {
        try floatUnary("silu", SiluF()) { g, x, _ in
            let s = try x.sigmoid()
            return try g * s * (1 + x * (1 - s))
        }
    }

    /// Gaussian error linear unit: exact (erf) by default, or PyTorch's tanh approximation.
    public func gelu(approximate: GELUApproximation = .none) throws -> Tensor {
        switch approximate {
        case .none:
            return try floatVector("gelu", .geluErf) { g, x, _ in try g * CPUKernels.map(x, .geluErfGradient) }
        case .tanh:
            return try floatVector("gelu", .geluTanh) { g, x, _ in try g * CPUKernels.map(x, .geluTanhGradient) }
        }
    }

    /// CLIP's QuickGELU `x·σ(1.702x)` in one pass (the unfused `x * (x * 1.702).sigmoid()` makes three
    /// passes and two temporaries; the results agree within a few float32 ULPs).
    public func quickGELU() throws -> Tensor {
        try floatVector("quickGELU", .quickGELU) { g, x, _ in try g * CPUKernels.map(x, .quickGELUGradient) }
    }

    /// This tensor converted to `target` (float → int truncates toward zero, saturating). Gradients flow
    /// through float32 → float32 only.
    public func to(_ target: DType) -> Tensor {
        if target == dtype { return self }
        switch (dtype, target) {
        case (.float32, .int32): return CPUKernels.map(self, outDType: target, Cast<Float, Int32>())
        case (.float32, .int64): return CPUKernels.map(self, outDType: target, Cast<Float, Int64>())
        case (.float32, .bool): return CPUKernels.map(self, outDType: target, Cast<Float, Bool>())
        case (.int32, .float32): return CPUKernels.map(self, outDType: target, Cast<Int32, Float>())
        case (.int32, .int64): return CPUKernels.map(self, outDType: target, Cast<Int32, Int64>())
        case (.int32, .bool): return CPUKernels.map(self, outDType: target, Cast<Int32, Bool>())
        case (.int64, .float32): return CPUKernels.map(self, outDType: target, Cast<Int64, Float>())
        case (.int64, .int32): return CPUKernels.map(self, outDType: target, Cast<Int64, Int32>())
        case (.int64, .bool): return CPUKernels.map(self, outDType: target, Cast<Int64, Bool>())
        case (.bool, .float32): return CPUKernels.map(self, outDType: target, Cast<Bool, Float>())
        case (.bool, .int32): return CPUKernels.map(self, outDType: target, Cast<Bool, Int32>())
        case (.bool, .int64): return CPUKernels.map(self, outDType: target, Cast<Bool, Int64>())
        default: return self  // same dtype, handled above
        }
    }
}
