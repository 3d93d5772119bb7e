import Testing
import VidiTensor
import VidiTestSupport

/// The checkers other suites rely on must be able to fail.
@Suite struct TestSupportTests {
    @Test func expectCloseReportsTheWorstElement() throws {
        let expected = try Tensor([1, 2, 3], shape: [3])
        let closeness = Closeness(try Tensor([1, 2.5, 3], shape: [3]), expected, rtol: 1e-5, atol: 1e-6)
        #expect(!closeness.passed && closeness.worstIndex == 1 && closeness.maxAbsoluteError == 0.5)
        #expect(!Closeness(expected, try expected.reshaped([1, 3]), rtol: 1, atol: 1).passed)
        #expect(Closeness(try Tensor([.nan, .infinity], shape: [2]), try Tensor([.nan, .infinity], shape: [2]), rtol: 0, atol: 0).passed)
        #expect(!Closeness(try Tensor([.infinity], shape: [1]), try Tensor([-.infinity], shape: [1]), rtol: 1, atol: 1).passed)
        withKnownIssue { expectClose(try Tensor([1, 2, 4], shape: [3]), expected) }
    }

    @Test func gradCheckCatchesAWrongBackward() throws {
        // x³ recorded with a deliberately wrong derivative (2x instead of 3x²).
        func badCube(_ x: Tensor) throws -> Tensor {
            let value = x.detached()
            let out = try value * value * value
            return Autograd.record(out, op: "badCube", inputs: [x]) { g in [try g * value * 2] }
        }
        var generator = RandomGenerator(seed: 3)
        let x = Tensor.uniform([4], low: 0.5, high: 1.5, generator: &generator)
        withKnownIssue { _ = try gradCheck([x]) { try badCube($0[0]) } }
    }

    @Test func goldenLoaderReadsDTypes() throws {
        #expect(try golden("argmax_1_out").dtype == .int64)
        #expect(try golden("where_cond").dtype == .bool)
        #expect(try golden("int_a").dtype == .int32)
        #expect(throws: (any Error).self) { try Golden.tensor("tensor-core/does-not-exist") }
    }

    @Test func uninitialisedInitialiserHandsOutEveryElement() {
        let t = Tensor(unsafeUninitializedShape: [2, 3]) { buffer in
            for i in buffer.indices { buffer[i] = Float(i) }
        }
        #expect(t.scalars == [0, 1, 2, 3, 4, 5] && t.isContiguous)
    }
}

@Suite struct ParallelTests {
    @Test func chunksCoverTheRangeOnceAndPartialsComeBackInOrder() {
        let partials = Parallel.mapChunks(count: 100_003, grain: 1_000) { range in (range.lowerBound, range.count) }
        #expect(partials.count == 101)
        #expect(partials.map(\.0) == Array(stride(from: 0, to: 100_003, by: 1_000)))
        #expect(partials.reduce(0) { $0 + $1.1 } == 100_003)
        #expect(Parallel.mapChunks(count: 0) { $0.count }.isEmpty)
    }

    @Test func goldenTensorsLoadsAPrefixedGroup() throws {
        let group = try Golden.tensors("tensor-core/mm", "a", "b", "out")
        #expect(group.map(\.shape) == [[5, 7], [7, 3], [5, 3]])
    }
}
