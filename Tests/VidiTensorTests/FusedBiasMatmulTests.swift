import Testing
import VidiTensor
import VidiTestSupport

/// `matmul(_:addingRow:)` (a linear layer's product with its bias added inside SGEMM) against the unfused
/// `matmul` then `+`, and the product against sums in Double here. Tolerance: the bias enters the float
/// rounding before OpenBLAS adds its K-blocks of the product instead of after, so the two differ by about
/// an ulp of the output; rtol = 1e-6, atol = 1e-6 on outputs of order 10 allows a few ulps, while a
/// missing or doubled bias errs by the bias itself (≈ 0.5).
@Suite struct FusedBiasMatmulTests {
    @Test func matchesMatmulThenAddAndDoubleSums() throws {
        var generator = RandomGenerator(seed: 41)
        // K = 700 spans several OpenBLAS K-blocks; N = 300 is split into tiles.
        let (m, k, n) = (37, 700, 300)
        let a = Tensor.uniform([m, k], low: -1, high: 1, generator: &generator)
        let w = Tensor.uniform([n, k], low: -1, high: 1, generator: &generator)
        let bias = Tensor.uniform([n], low: -1, high: 1, generator: &generator)
        let fused = try a.matmul(w.transposed(), addingRow: bias)
        let unfused = try a.matmul(w.transposed()) + bias
        expectClose(fused, unfused, rtol: 1e-6, atol: 1e-6, "fused vs matmul then +")
        let (av, wv, bv) = (a.scalars, w.scalars, bias.scalars)
        var expected = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var total = Double(bv[j])
                for p in 0..<k { total += Double(av[i * k + p]) * Double(wv[j * k + p]) }
                expected[i * n + j] = Float(total)
            }
        }
        // Float SGEMM against Double: √700 · 2⁻²⁴ · (|terms| ≈ 0.3) ≈ 5e-7 relative to terms; outputs ≈ 8.
        expectClose(fused, try Tensor(expected, shape: [m, n]), rtol: 1e-5, atol: 1e-5, "fused vs Double")
    }

    @Test func gradientsMatchTheUnfusedOps() throws {
        var generator = RandomGenerator(seed: 42)
        let a = Tensor.uniform([9, 40], low: -1, high: 1, generator: &generator)
        let w = Tensor.uniform([30, 40], low: -1, high: 1, generator: &generator)
        let bias = Tensor.uniform([30], low: -1, high: 1, generator: &generator)
        let r = Tensor.uniform([9, 30], low: -1, high: 1, generator: &generator)
        func gradients(fused: Bool) throws -> [Tensor] {
            let (ag, wg, bg) = (a.requiresGrad(), w.requiresGrad(), bias.requiresGrad())
            let y = fused ? try ag.matmul(wg.transposed(), addingRow: bg) : try ag.matmul(wg.transposed()) + bg
            try (y * r).sum().backward()
            return [try #require(ag.grad), try #require(wg.grad), try #require(bg.grad)]
        }
        for (fused, unfused) in zip(try gradients(fused: true), try gradients(fused: false)) {
            #expect(fused.shape == unfused.shape)
            expectClose(fused, unfused, rtol: 1e-6, atol: 1e-6)
        }
    }

    @Test func badShapesThrow() throws {
        let a = Tensor.zeros([2, 3]), b = Tensor.zeros([3, 4])
        #expect(throws: TensorError.self) { try a.matmul(b, addingRow: Tensor.zeros([3])) }
        #expect(throws: TensorError.self) { try a.matmul(Tensor.zeros([2, 4]), addingRow: Tensor.zeros([4])) }
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 2, 3]).matmul(b, addingRow: Tensor.zeros([4])) }
    }
}
