import Testing
import VidiTensor

/// The compute budget changes how many threads run, never the results: kernels cut work in fixed chunks
/// and OpenBLAS's SGEMM does not split the summation dimension across threads.
@Suite(.serialized) struct ComputeBudgetTests {
    @Test func resultsDoNotDependOnTheThreadBudget() throws {
        defer { ComputeBudget.configure(workers: 1) }
        var generator = RandomGenerator(seed: 11)
        let a = Tensor.normal([257, 300], generator: &generator), b = Tensor.normal([300, 129], generator: &generator)
        let x = Tensor.normal([4, 8, 40, 40], generator: &generator), w = Tensor.normal([8, 8, 3, 3], generator: &generator)
        func compute() throws -> [[Float]] {
            [try a.matmul(b).scalars, try x.conv2d(weight: w, padding: [1]).scalars, try x.softmax(axis: 3).scalars, try x.sum().scalars]
        }
        #expect(ComputeBudget.configure(workers: 64, cores: 2) == 1)
        #expect(ComputeBudget.threads == 1 && BLAS.threads == 1)
        let single = try compute()
        #expect(ComputeBudget.configure(workers: 1, cores: 2) == 2)
        #expect(BLAS.threads == 2)
        let shared = try compute()
        for (s, t) in zip(single, shared) { #expect(s.map(\.bitPattern) == t.map(\.bitPattern)) }
    }

    @Test func workersShareTheCores() {
        defer { ComputeBudget.configure(workers: 1) }
        #expect(ComputeBudget.configure(workers: 2, cores: 8) == 4)
        #expect(ComputeBudget.configure(workers: 3, cores: 8) == 2)
        #expect(ComputeBudget.configure(workers: 16, cores: 8) == 1)
    }
}
