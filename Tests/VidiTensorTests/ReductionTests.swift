import Testing
import VidiTensor
import VidiTestSupport

/// Expected values: NumPy in float64 (PyTorch for logsumexp) via Tools/goldens/tensor_core.py.
@Suite struct ReductionTests {
    @Test func reductionsMatchNumPy() throws {
        let x = try golden("reduce_x")  // [3, 4, 5]
        expectClose(try x.sum(), try golden("sum_all_out"))
        expectClose(try x.sum(axis: 1), try golden("sum_1_out"))
        expectClose(try x.sum(axes: [0, -1], keepDims: true), try golden("sum_02_keep_out"))
        expectClose(try x.mean(axes: [1, 2]), try golden("mean_12_out"))
        expectClose(try x.max(axis: 1), try golden("max_1_out"))
        expectClose(try x.min(axes: [0, 2]), try golden("min_02_out"))
        expectClose(try x.variance(axes: [0, 2]), try golden("var_02_out"))
        expectClose(try x.variance(axes: [2], unbiased: false), try golden("var_biased_2_out"))
        expectClose(try x.std(axes: [1]), try golden("std_1_out"))
        expectClose(try x.logsumexp(axes: [2]), try golden("logsumexp_2_out"))
        expectClose(try x.prod(axes: [1]), try golden("prod_1_out"))
        #expect(try x.argmax(axis: 1).toArray(Int64.self) == golden("argmax_1_out").toArray(Int64.self))
        #expect(try x.argmin().toArray(Int64.self) == golden("argmin_all_out").toArray(Int64.self))
        #expect(try x.argmax(axis: 1, keepDims: true).shape == [3, 1, 5])
    }

    @Test func reductionsOfNonContiguousInputs() throws {
        let x = try golden("reduce_x")
        let stored = try x.permuted([2, 0, 1]).contiguous().permuted([1, 2, 0])  // same values, other layout
        #expect(!stored.isContiguous)
        expectClose(try stored.sum(axis: 1), try golden("sum_1_out"))
        expectClose(try stored.max(axis: 1), try golden("max_1_out"))
    }

    @Test func integerAndBoolSumsAreInt64() throws {
        let i = try Tensor([1, 2, 3, 4] as [Int32], shape: [2, 2])
        let s = try i.sum(axis: 0)
        #expect(s.dtype == .int64)
        #expect(try s.toArray(Int64.self) == [4, 6])
        let mask = try Tensor([true, false, true], shape: [3])
        #expect(try mask.sum().item(Int64.self) == 2)
        #expect(try i.max().item(Int32.self) == 4)
        #expect(throws: TensorError.self) { try i.mean() }
    }

    @Test func nanAndInfinityHandling() throws {
        let x = try Tensor([1, .nan, 3, -.infinity, -.infinity, -.infinity], shape: [2, 3])
        let m = try x.max(axis: 1).scalars
        #expect(m[0].isNaN && m[1] == -.infinity)  // torch.amax propagates NaN
        #expect(try x.argmax(axis: 1).toArray(Int64.self) == [1, 0])  // torch.argmax: first NaN / first max
        #expect(try x.logsumexp(axes: [1]).scalars[1] == -.infinity)  // torch.logsumexp of all -inf
    }

    @Test func badAxesThrow() throws {
        let x = Tensor.zeros([2, 3])
        #expect(throws: TensorError.invalidAxis(op: "sum", axis: 2, rank: 2)) { try x.sum(axis: 2) }
        #expect(throws: TensorError.self) { try x.sum(axes: [0, -2]) }
        #expect(throws: TensorError.shapeMismatch(op: "sum(toShape:)", lhs: [2, 3], rhs: [2])) { try x.sum(toShape: [2]) }
        #expect(try x.sum(toShape: [1, 3]).shape == [1, 3])
        #expect(try x.sum(toShape: [3]).shape == [3])
    }

    /// Large reductions run in parallel chunks; chunking is fixed, so the bits never change.
    @Test func parallelReductionIsBitIdenticalAcrossRunsAndThreadSettings() async throws {
        var generator = RandomGenerator(seed: 7)
        let x = Tensor.normal([1 << 18], generator: &generator)
        let reference = try x.sum().item().bitPattern
        let rows = try x.reshaped([64, 4096]).sum(axis: 1).scalars.map(\.bitPattern)
        // Several concurrent tasks compete for the cores, so chunks finish in varying orders.
        try await withThrowingTaskGroup(of: (UInt32, [UInt32]).self) { group in
            for _ in 0..<4 {
                group.addTask {
                    (try x.sum().item().bitPattern, try x.reshaped([64, 4096]).sum(axis: 1).scalars.map(\.bitPattern))
                }
            }
            for try await (total, perRow) in group {
                #expect(total == reference)
                #expect(perRow == rows)
            }
        }
        // Same data summed as one block-sized reduction at a time must agree with the chunked total in
        // Double precision (float32 rounding of the final value only).
        let direct = x.scalars.reduce(0.0) { $0 + Double($1) }
        #expect(Swift.abs(Double(try x.sum().item()) - direct) <= 1e-3)
    }
    /// A sum over leading axes of a contiguous tensor (a bias gradient) reads columns in place; expected: the
    /// same sums accumulated in Double here, and the general path on the same values stored transposed. Both
    /// round one Double sum to Float, so they agree to float rounding (1 ulp); a wrong row or column would
    /// be off by a whole element (≈ 0.5).
    @Test func sumOverLeadingAxesMatchesDoubleSums() throws {
        var generator = RandomGenerator(seed: 31)
        // 1,300 columns: several 512-column blocks and a partial one, split across threads.
        let x = Tensor.uniform([3, 7, 1300], low: -1, high: 1, generator: &generator).requiresGrad()
        let values = x.scalars
        var expected = [Double](repeating: 0, count: 1300)
        for row in 0..<21 { for column in 0..<1300 { expected[column] += Double(values[row * 1300 + column]) } }
        let sums = try x.sum(axes: [0, 1])
        expectClose(sums, try Tensor(expected.map { Float($0) }, shape: [1300]), rtol: 1e-7, atol: 0)
        let general = try x.detached().transposed(0, 2).contiguous().transposed(0, 2)
        #expect(!general.isContiguous)
        expectClose(try general.sum(axes: [0, 1]), sums, rtol: 1e-7, atol: 0)
        #expect(try x.sum(axes: [0], keepDims: true).shape == [1, 7, 1300])
        // The bias-gradient use: sum(toShape:) and its backward spreads the gradient back.
        let bias = try x.sum(toShape: [1300])
        expectClose(bias, sums, rtol: 0, atol: 0)
        try (bias * Tensor.linspace(0, 1, count: 1300)).sum().backward()
        let grad = try #require(x.grad)
        #expect(grad.shape == [3, 7, 1300])
        expectClose(try grad.narrowed(axis: 0, start: 2, length: 1).narrowed(axis: 1, start: 6, length: 1).reshaped([1300]),
                    try Tensor.linspace(0, 1, count: 1300), rtol: 0, atol: 0)
    }
}
