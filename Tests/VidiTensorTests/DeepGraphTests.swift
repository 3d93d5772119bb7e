import Foundation
import Testing
import VidiTensor

@Suite struct DeepGraphTests {
    /// A graph 100k ops deep (an unrolled recurrence that was never detached) is freed without recursing
    /// once per node — which overflowed the stack before `GradNode.deinit` freed chains iteratively.
    @Test func veryDeepGraphsAreFreedWithoutStackOverflow() async throws {
        let leafAlive = try await Task.detached { () -> Bool in
            let x = try Tensor([1], shape: [1]).requiresGrad()
            var y = x
            for _ in 0..<100_000 {
                y = Autograd.record(y.detached(), op: "identity", inputs: [y]) { g in [g] }
            }
            return y.requiresGrad
        }.value
        #expect(leafAlive)
    }

    /// Backward through a long chain walks it iteratively (no recursion) and multiplies the factors.
    @Test func longChainsBackpropagate() throws {
        let x = try Tensor([1], shape: [1]).requiresGrad()
        var y = x
        for _ in 0..<5_000 { y = try y * 1.0001 }
        try y.sum().backward()
        // Reference: 1.0001^5000 in Double; float32 products drift by a few ulps per step.
        let expected = Float(Foundation.pow(1.0001, 5000.0))
        #expect(Swift.abs(try #require(x.grad).item() - expected) < 1e-3 * expected)
    }
}
