import Testing
@testable import VidiTensor
import VidiTestSupport

/// Expected values: NumPy matmul in float64 via Tools/goldens/tensor_core.py.
@Suite struct MatmulTests {
    @Test func matrixProducts() throws {
        let a = try golden("mm_a"), b = try golden("mm_b")
        expectClose(try a.matmul(b), try golden("mm_out"), rtol: 1e-5, atol: 1e-5)
        let v = try golden("mv_v")
        expectClose(try v.matmul(b), try golden("vm_out"), rtol: 1e-5, atol: 1e-5)
        expectClose(try a.matmul(v), try golden("mv_out"), rtol: 1e-5, atol: 1e-5)
        expectClose(try v.matmul(v), try golden("dot_out"), rtol: 1e-5, atol: 1e-5)  // rank 0, like numpy
    }

    @Test func batchedWithBroadcastBatchAxes() throws {
        let out = try golden("bmm_a").matmul(golden("bmm_b"))  // [2,1,4,5] @ [3,5,6]
        #expect(out.shape == [2, 3, 4, 6])
        expectClose(out, try golden("bmm_out"), rtol: 1e-5, atol: 1e-5)
    }

    @Test func transposedViewsNeedNoCopyAndGiveTheSameProduct() throws {
        let a = try golden("mm_a"), b = try golden("mm_b")
        // Store A^T and B^T contiguously and hand in their transposed views (CblasTrans path).
        let aView = try a.transposed().contiguous().transposed()
        let bView = try b.transposed().contiguous().transposed()
        #expect(!aView.isContiguous && !bView.isContiguous)
        expectClose(try aView.matmul(bView), try golden("mm_out"), rtol: 1e-5, atol: 1e-5)
        // A strided slice that BLAS cannot read directly is copied first.
        let wide = try a.unsqueezed(axis: -1).expanded(to: [5, 7, 2]).contiguous().reshaped([5, 14]).sliced(axis: 1, step: 2)
        expectClose(try wide.matmul(b), try golden("mm_out"), rtol: 1e-5, atol: 1e-5)
    }

    @Test func badShapesThrow() {
        #expect(throws: TensorError.shapeMismatch(op: "matmul", lhs: [2, 3], rhs: [4, 5])) {
            try Tensor.zeros([2, 3]).matmul(Tensor.zeros([4, 5]))
        }
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 2, 3]).matmul(Tensor.zeros([3, 3, 1])) }
        #expect(throws: TensorError.self) { try Tensor(Float(1)).matmul(Tensor.zeros([1, 1])) }
        #expect(throws: TensorError.dtypeMismatch(op: "matmul", expected: .float32, actual: .int64)) {
            try Tensor.arange(count: 4).matmul(Tensor.zeros([4]))
        }
    }
}

@Suite struct MatmulDeterminismTests {
    /// SGEMM is cut into tiles fixed by the shape (`CPUKernels.gemmTiling`), each a single-threaded OpenBLAS
    /// call, so every element is summed the same way whatever the thread count. (OpenBLAS's own threads do not
    /// give this on its Haswell/Zen kernels: this test failed on an AMD EPYC before the tiling.)
    @Test func sameBitsForOneAndTwoBLASThreads() throws {
        var generator = RandomGenerator(seed: 21)
        let a = Tensor.normal([256, 300], generator: &generator), b = Tensor.normal([300, 256], generator: &generator)
        let original = BLAS.threads
        defer { BLAS.setThreads(original) }
        BLAS.setThreads(1)
        let single = try a.matmul(b).scalars.map(\.bitPattern)
        BLAS.setThreads(2)
        let double = try a.matmul(b).scalars.map(\.bitPattern)
        #expect(single == double)
    }

    /// The tile cap is one tile per core of the machine, even, 2…16 (so a product can still use both cores of a
    /// 2-core machine), and `gemmTiling` never exceeds it; it depends on the machine, not on `BLAS.threads`.
    @Test func tileCapFollowsTheMachineNotTheThreads() {
        #expect([1, 2, 3, 4, 7, 8, 16, 64].map { CPUKernels.defaultGEMMTiles(cores: $0) } == [2, 2, 4, 4, 8, 8, 16, 16])
        let tilings = atOneAndTwoThreads {
            let tiling = CPUKernels.gemmTiling(m: 400, n: 3072, k: 768)  // a ViT-B/32 batch-8 MLP product
            #expect(tiling.tiles <= CPUKernels.gemmMaxTiles && tiling.tiles >= 2 && !tiling.alongRows)
            return tiling.tiles
        }
        #expect(tilings[0] == tilings[1])
    }
}
