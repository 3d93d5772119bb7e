import Testing
import VidiTensor
import VidiTestSupport

/// Expected values: NumPy (and PyTorch for GELU/SiLU) via Tools/goldens/tensor_core.py.
@Suite struct ElementwiseTests {
    @Test func broadcastArithmeticMatchesNumPy() throws {
        let a = try golden("binary_a"), b = try golden("binary_b")  // [2,3,4] and [3,1]
        expectClose(try a + b, try golden("add_out"))
        expectClose(try a - b, try golden("sub_out"))
        expectClose(try a * b, try golden("mul_out"))
        expectClose(try a / b, try golden("div_out"))
        expectClose(try b + a, try golden("add_out"), "commuted operands")
        expectClose(try a.maximum(b), try golden("maximum_out"))
        expectClose(try a.minimum(b), try golden("minimum_out"))
        expectClose(try golden("pow_base").pow(b), try golden("pow_out"), rtol: 1e-5)
        expectClose(try a.clamp(min: -0.5, max: 1.0), try golden("clamp_out"))
    }

    @Test func nonContiguousInputsGiveTheSameResult() throws {
        let a = try golden("binary_a"), b = try golden("binary_b")
        // Same values, stored transposed: a' = contiguous copy of a^T, viewed back through a transpose.
        let aT = try a.permuted([2, 1, 0]).contiguous().permuted([2, 1, 0])
        #expect(!aT.isContiguous)
        expectClose(try aT * b, try golden("mul_out"))
        // Strided slice: every other column of a wider tensor.
        let wide = try Tensor.zeros([2, 3, 8]).adding(Tensor.zeros([1]))
        var buffer = wide.scalars
        let values = a.scalars
        for i in 0..<24 { buffer[(i / 4) * 8 + (i % 4) * 2] = values[i] }
        let strided = try Tensor(buffer, shape: [2, 3, 8]).sliced(axis: 2, step: 2)
        #expect(strided.strides == [24, 8, 2])
        expectClose(try strided - b, try golden("sub_out"))
        // Expanded (stride 0) operand.
        let bExpanded = try b.expanded(to: [2, 3, 4])
        expectClose(try a + bExpanded, try golden("add_out"))
    }

    @Test func scalarOperands() throws {
        let a = try golden("binary_a")
        expectClose(try a * 2 + 1, try (a + a) + Tensor.ones([1]))
        expectClose(try 1 - a, try a.negated() + 1)
        expectClose(try 1 / (a / 2), try 2 / a, rtol: 1e-6)
        #expect(throws: TensorError.self) { try Tensor.ones([2], dtype: .int32) + 0.5 }
    }

    @Test func comparisonsGiveBoolTensors() throws {
        let a = try golden("compare_a"), b = try golden("compare_b")
        let cases: [(String, Tensor)] = [("eq", try a.eq(b)), ("ne", try a .!= b), ("lt", try a .< b),
                                         ("le", try a.le(b)), ("gt", try a .> b), ("ge", try a.ge(b))]
        for (name, result) in cases {
            let expected = try golden("\(name)_out")
            #expect(result.dtype == .bool)
            #expect(try result.toArray(Bool.self) == expected.toArray(Bool.self), "\(name)")
        }
        #expect(try a.lt(0).toArray(Bool.self) == a.scalars.map { $0 < 0 })
        #expect(throws: TensorError.dtypeMismatch(op: "eq", expected: .float32, actual: .int32)) {
            try a.eq(Tensor.zeros([1], dtype: .int32))
        }
    }

    @Test func unaryFunctionsMatchReference() throws {
        let x = try golden("unary_x"), p = try golden("positive_x")
        expectClose(try x.negated(), try golden("neg_out"))
        expectClose(try -x, try golden("neg_out"))
        expectClose(try x.abs(), try golden("abs_out"))
        expectClose(try x.exp(), try golden("exp_out"), rtol: 2e-6)
        expectClose(try x.tanh(), try golden("tanh_out"), rtol: 2e-6)
        expectClose(try x.sigmoid(), try golden("sigmoid_out"), rtol: 2e-6)
        expectClose(try x.relu(), try golden("relu_out"))
        expectClose(try x.leakyRelu(negativeSlope: 0.2), try golden("leaky_relu_out"))
        expectClose(try x.gelu(), try golden("gelu_out"), rtol: 2e-6, atol: 1e-6)
        expectClose(try x.gelu(approximate: .tanh), try golden("gelu_tanh_out"), rtol: 2e-6, atol: 1e-6)
        expectClose(try x.silu(), try golden("silu_out"), rtol: 2e-6, atol: 1e-6)
        expectClose(try x.sin(), try golden("sin_out"), rtol: 2e-6, atol: 1e-6)
        expectClose(try x.cos(), try golden("cos_out"), rtol: 2e-6, atol: 1e-6)
        expectClose(try x.floor(), try golden("floor_out"))
        expectClose(try x.sign(), try golden("sign_out"))
        expectClose(try p.log(), try golden("log_out"), rtol: 2e-6, atol: 1e-6)
        expectClose(try p.sqrt(), try golden("sqrt_out"))
        expectClose(try p.rsqrt(), try golden("rsqrt_out"), rtol: 2e-6)
        expectClose(try golden("round_x").round(), try golden("round_out"))
        #expect(throws: TensorError.dtypeMismatch(op: "exp", expected: .float32, actual: .int64)) {
            try Tensor.arange(count: 3).exp()
        }
    }

    @Test func integerArithmetic() throws {
        let a = try golden("int_a"), b = try golden("int_b")
        #expect(try (a + b).toArray(Int32.self) == golden("int_add_out").toArray(Int32.self))
        #expect(try (a * b).toArray(Int32.self) == golden("int_mul_out").toArray(Int32.self))
        #expect(try (a / b).toArray(Int32.self) == golden("int_div_out").toArray(Int32.self))
        #expect(throws: TensorError.invalidArgument(op: "div", reason: "integer division by zero")) {
            try a / Tensor.zeros([4], dtype: .int32)
        }
        let wrap = try Tensor([Int32.max], shape: [1]) + 1
        #expect(try wrap.toArray(Int32.self) == [Int32.min])  // wraps like numpy int32
    }

    @Test func whereAndMaskedFill() throws {
        let cond = try golden("where_cond"), a = try golden("where_a"), b = try golden("where_b")
        expectClose(try Tensor.where(cond, a, b), try golden("where_out"))
        expectClose(try a.maskedFill(golden("masked_mask"), value: -7), try golden("masked_fill_out"))
        #expect(throws: TensorError.self) { try Tensor.where(a.gt(0), a, Tensor.zeros([1], dtype: .int32)) }
        #expect(throws: TensorError.self) { try a.maskedFill(Tensor.zeros([5], dtype: .bool), value: 0) }
    }

    @Test func badShapesThrowNamingTheOperation() throws {
        let a = Tensor.zeros([2, 3]), b = Tensor.zeros([4, 3])
        #expect(throws: TensorError.shapeMismatch(op: "add", lhs: [2, 3], rhs: [4, 3])) { try a + b }
        #expect(throws: TensorError.shapeMismatch(op: "mul", lhs: [2, 3], rhs: [2])) { try a * Tensor.zeros([2]) }
        #expect(throws: TensorError.self) { try a.pow(Tensor.zeros([3, 1, 2])) }
        // Broadcasting edge cases that must work: rank-0 with anything, size-1 axes on both sides.
        #expect(try (a + Tensor(1)).shape == [2, 3])
        #expect(try (Tensor.zeros([2, 1, 3]) + Tensor.zeros([4, 1])).shape == [2, 4, 3])
        #expect(try (Tensor.zeros([1]) + Tensor.zeros([0])).shape == [0])
        #expect(throws: TensorError.self) { try Tensor.zeros([2]) + Tensor.zeros([0]) }
    }

    @Test func logicalOps() throws {
        let p = try Tensor([true, true, false, false], shape: [4])
        let q = try Tensor([true, false, true, false], shape: [4])
        #expect(try p.logicalAnd(q).toArray(Bool.self) == [true, false, false, false])
        #expect(try p.logicalOr(q).toArray(Bool.self) == [true, true, true, false])
        #expect(try p.logicalNot().toArray(Bool.self) == [false, false, true, true])
        #expect(try p.any() && !(p.all()))
    }
}

/// Large enough for many parallel chunks whose boundaries fall mid-row of strided operands.
@Suite struct LargeStridedTests {
    @Test func chunkBoundariesInStridedBroadcastOps() throws {
        let rows = 301, cols = 257  // 77k elements: several 32k-element chunks, rows straddle them
        var generator = RandomGenerator(seed: 11)
        let base = Tensor.uniform([cols, rows], generator: &generator)  // stored transposed
        let column = Tensor.uniform([cols], generator: &generator)
        let x = try base.transposed()  // [rows, cols], strides [1, rows]
        let out = try x * column - 1   // column broadcasts along rows
        // Reference: the same formula with plain index arithmetic on the stored values.
        let stored = base.scalars, c = column.scalars
        var expected = [Float](repeating: 0, count: rows * cols)
        for r in 0..<rows { for k in 0..<cols { expected[r * cols + k] = stored[k * rows + r] * c[k] - 1 } }
        #expect(out.scalars == expected)
        // A strided copy across chunk boundaries, and a reduction over the strided axis.
        #expect(x.contiguous().scalars == (0..<(rows * cols)).map { stored[($0 % cols) * rows + $0 / cols] })
        let sums = try x.sum(axis: 0).scalars
        for k in [0, 100, cols - 1] {
            let direct = (0..<rows).reduce(0.0) { $0 + Double(stored[k * rows + $1]) }
            #expect(Swift.abs(Double(sums[k]) - direct) < 1e-3)
        }
    }
}
