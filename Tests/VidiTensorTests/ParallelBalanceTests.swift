import Testing
@testable import VidiTensor
import VidiTestSupport

/// The two-core changes: chunk grains that leave no core with a long last chunk, zeroing split across
/// cores, and the pointwise input gradient written by its GEMMs without a zero fill first.
@Suite struct ParallelBalanceTests {
    @Test func balancedGrainsGiveEightChunksWhileAChunkKeeps4096Elements() {
        // ResNet-50 at batch 1: 256 planes of 14×14 used to be 167 + 89 planes (defaultGrain / 196).
        #expect(Parallel.balancedGrain(count: 256, itemSize: 196) == 32)
        // Little work: chunks stay at 4096 elements or more (21 planes of 196), so fewer than eight.
        #expect(Parallel.balancedGrain(count: 64, itemSize: 196) == 21)
        // Much work: chunks stay at defaultGrain elements or fewer (10 planes of 3136).
        #expect(Parallel.balancedGrain(count: 8 * 256, itemSize: 3136) == 10)
        // Items larger than a grain: one per chunk.
        #expect(Parallel.balancedGrain(count: 3, itemSize: 1 << 20) == 1)
        for count in [1, 7, 100, 1000, 5000] {
            for size in [1, 16, 49, 196, 784, 3136, 50_000] {
                let grain = Parallel.balancedGrain(count: count, itemSize: size)
                let chunks = (count + grain - 1) / grain
                // Never more than defaultGrain elements per chunk, unless one item alone is more.
                #expect(grain >= 1 && (grain == 1 || grain * size <= Parallel.defaultGrain), "\(count) × \(size)")
                // Fewer than eight chunks only when a smaller grain would drop below 4096 elements per chunk.
                if chunks < 8, count >= 8 { #expect((grain - 1) * size < 4096, "\(count) × \(size)") }
            }
        }
    }

    @Test func theProfileReplaysChunksOnTwoLanesInOrder() {
        // Lane 0 takes 3; lane 1 takes the three 1s: span 3, not the 3 + 1 of a static halving.
        #expect(ParallelProfile.replay([3, 1, 1, 1], lanes: 2) == 3)
        #expect(ParallelProfile.replay([1, 1, 1, 1], lanes: 2) == 2)
        // Two uneven halves: the longer one is the span.
        #expect(ParallelProfile.replay([167, 89], lanes: 2) == 167)
        #expect(ParallelProfile.replay([2, 2, 2], lanes: 1) == 6)
        #expect(ParallelProfile.replay([], lanes: 2) == 0)
    }

    @Test func namedSerialWorkRunsOnceAndIsReported() {
        ParallelProfile.reset()
        var calls = 0
        ParallelProfile.timeSerial(site: "Tests:1 one-tile SGEMM") { calls += 1 }
        #expect(calls == 1)
        let report = ParallelProfile.report(runs: 1)
        #expect(report.contains("named serial work") && report.contains("Tests:1 one-tile SGEMM"), "\(report)")
    }

    @Test func largeZeroedStorageIsZeroAfterADirtyBlockAtOneAndTwoThreads() {
        // 4 MiB: eight chunks of the parallel clear. The freed block of 7s is what the cache hands out next.
        let results = atOneAndTwoThreads { () -> Bool in
            do { _ = Tensor.full([1024, 1024], value: 7) }
            return Tensor.zeros([1024, 1024]).scalars.allSatisfy { $0 == 0 }
        }
        #expect(results == [true, true])
    }

    /// `∂x[n, ci, p] = Σ_co w[co, ci] · g[n, co, p]` for a 1×1 convolution, summed in Double here, after a
    /// block of NaNs of the gradient's size was freed (so the cache may hand it to the uninitialised gradient).
    @Test func pointwiseInputGradientOverwritesADirtyBlock() throws {
        let (batch, cin, cout, h, w) = (2, 16, 12, 32, 32)  // 128 KiB: above the cache's 64 KiB floor
        var generator = RandomGenerator(seed: 23)
        let xValues = Tensor.uniform([batch, cin, h, w], low: -1, high: 1, generator: &generator)
        let weight = Tensor.uniform([cout, cin, 1, 1], low: -0.5, high: 0.5, generator: &generator)
        let r = Tensor.uniform([batch, cout, h, w], low: -1, high: 1, generator: &generator)
        let (pw, pr) = (weight.scalars, r.scalars)
        var expected = [Float](repeating: 0, count: batch * cin * h * w)
        for n in 0..<batch {
            for ci in 0..<cin {
                for p in 0..<(h * w) {
                    var sum = 0.0
                    for co in 0..<cout { sum += Double(pw[co * cin + ci]) * Double(pr[(n * cout + co) * h * w + p]) }
                    expected[(n * cin + ci) * h * w + p] = Float(sum)
                }
            }
        }
        let gradients = try atOneAndTwoThreads { () -> [Float] in
            do { _ = Tensor.full([batch, cin, h, w], value: Float.nan) }
            let x = xValues.detached().requiresGrad()
            try (x.conv2d(weight: weight) * r).sum().backward()
            return try #require(x.grad).scalars
        }
        #expect(gradients[0].map(\.bitPattern) == gradients[1].map(\.bitPattern), "1 and 2 threads")
        expectClose(try Tensor(gradients[0], shape: [batch, cin, h, w]), try Tensor(expected, shape: [batch, cin, h, w]),
                    rtol: 1e-5, atol: 1e-6, "pointwise input gradient")
    }
}
