import Testing
import VidiTensor
import VidiTestSupport

/// Gradients: finite differences (`gradCheck`) for every differentiable op, PyTorch autograd goldens
/// (float64) for matmul and reductions.
@Suite struct AutogradTests {
    /// O(1) inputs away from kinks, deterministic.
    func input(_ shape: [Int], seed: UInt64, low: Float = -1.5, high: Float = 1.5) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return Tensor.uniform(shape, low: low, high: high, generator: &generator)
    }

    @Test func broadcastBinaryOps() throws {
        let a = input([2, 3], seed: 1), b = input([3], seed: 2)
        let positive = input([2, 3], seed: 3, low: 0.5, high: 2), divisor = input([3], seed: 4, low: 0.5, high: 2)
        try gradCheck([a, b]) { try $0[0] + $0[1] }
        try gradCheck([a, b]) { try $0[0] - $0[1] }
        try gradCheck([a, b]) { try $0[0] * $0[1] }
        try gradCheck([a, divisor]) { try $0[0] / $0[1] }
        try gradCheck([positive, b]) { try $0[0].pow($0[1]) }
        try gradCheck([a]) { try $0[0].pow(3) }
        try gradCheck([a, b]) { try $0[0].maximum($0[1]) }
        try gradCheck([a, b]) { try $0[0].minimum($0[1]) }
        try gradCheck([a]) { try $0[0].clamp(min: -0.7, max: 0.9) }
        try gradCheck([a, b]) { try Tensor.where($0[0].gt(0), $0[0], $0[1]) }
        try gradCheck([a]) { try $0[0].maskedFill($0[0].lt(-0.5), value: 3) }
    }

    @Test func unaryOps() throws {
        let x = input([3, 4], seed: 5), p = input([3, 4], seed: 6, low: 0.3, high: 2)
        let ops: [(String, (Tensor) throws -> Tensor)] = [
            ("neg", { try $0.negated() }), ("abs", { try $0.abs() }), ("exp", { try $0.exp() }),
            ("tanh", { try $0.tanh() }), ("sigmoid", { try $0.sigmoid() }), ("relu", { try $0.relu() }),
            ("leakyRelu", { try $0.leakyRelu(negativeSlope: 0.1) }), ("gelu", { try $0.gelu() }),
            ("geluTanh", { try $0.gelu(approximate: .tanh) }), ("silu", { try $0.silu() }),
            ("sin", { try $0.sin() }), ("cos", { try $0.cos() }),
        ]
        for (name, op) in ops {
            #expect(try gradCheck([x]) { try op($0[0]) }, "\(name)")
        }
        try gradCheck([p]) { try $0[0].log() }
        try gradCheck([p]) { try $0[0].sqrt() }
        try gradCheck([p]) { try $0[0].rsqrt() }
        // Piecewise-constant functions have zero gradient (PyTorch convention).
        let g = try { let t = x.requiresGrad(); try t.floor().sum().backward(); return t.grad }()
        #expect(g?.scalars == [Float](repeating: 0, count: 12))
    }

    @Test func reductionsAndViews() throws {
        let x = input([2, 3, 4], seed: 7)
        try gradCheck([x]) { try $0[0].sum(axes: [0, 2]) }
        try gradCheck([x]) { try $0[0].mean(axis: 1, keepDims: true) }
        try gradCheck([x]) { try $0[0].max(axis: 2) }
        try gradCheck([x]) { try $0[0].min(axes: [0, 1]) }
        try gradCheck([x]) { try $0[0].variance(axes: [1]) }
        try gradCheck([x]) { try $0[0].std(axes: [2], unbiased: false) }
        try gradCheck([x]) { try $0[0].logsumexp(axes: [0, 2]) }
        try gradCheck([x]) { try $0[0].prod(axes: [2]) }
        try gradCheck([x]) { try $0[0].reshaped([4, 6]) }
        try gradCheck([x]) { try $0[0].permuted([2, 0, 1]).contiguous() }
        try gradCheck([x]) { try $0[0].sliced(axis: 2, start: 1, step: 2) }
        try gradCheck([x]) { try $0[0].narrowed(axis: 1, start: 1, length: 2) }
        try gradCheck([x]) { try $0[0].selecting(axis: 0, index: 1) }
        try gradCheck([x]) { try $0[0].sliced(axis: 0, end: 1).expanded(to: [3, 3, 4]) }
        try gradCheck([x]) { try $0[0].unsqueezed(axis: 1).squeezed(axis: 1).transposed() }
    }

    @Test func prodGradientIsExactWithZeros() throws {
        let x = try Tensor([2, 0, 3, 0, 0, 5], shape: [2, 3]).requiresGrad()
        try x.prod(axes: [1]).sum().backward()
        // torch: x.prod(1).sum().backward() → [[0, 6, 0], [0, 0, 0]]
        #expect(x.grad?.scalars == [0, 6, 0, 0, 0, 0])
    }

    @Test func matmulGradients() throws {
        try gradCheck([input([3, 4], seed: 8), input([4, 2], seed: 9)]) { try $0[0].matmul($0[1]) }
        try gradCheck([input([2, 1, 3, 4], seed: 10), input([3, 4, 2], seed: 11)]) { try $0[0].matmul($0[1]) }
        try gradCheck([input([4], seed: 12), input([4, 2], seed: 13)]) { try $0[0].matmul($0[1]) }
        try gradCheck([input([3, 4], seed: 14), input([4], seed: 15)]) { try $0[0].matmul($0[1]) }
        try gradCheck([input([4], seed: 16), input([4], seed: 17)]) { try $0[0].matmul($0[1]) }
        try gradCheck([input([4], seed: 18), input([2, 4, 3], seed: 19)]) { try $0[0].matmul($0[1]) }
        // Against PyTorch autograd: sum(w * (A @ B)) with broadcast batch axes.
        let a = try golden("bmm_a").requiresGrad(), b = try golden("bmm_b").requiresGrad()
        try (a.matmul(b) * golden("bmm_w")).sum().backward()
        expectClose(try #require(a.grad), try golden("bmm_grad_a"), rtol: 1e-5, atol: 1e-5)
        expectClose(try #require(b.grad), try golden("bmm_grad_b"), rtol: 1e-5, atol: 1e-5)
    }

    @Test func reductionGradientsMatchPyTorch() throws {
        let x = try golden("rgrad_x")
        let cases: [(String, (Tensor) throws -> Tensor)] = [
            ("var", { try $0.variance(axes: [0, 2]) }), ("max", { try $0.max(axis: 1) }),
            ("prod", { try $0.prod(axes: [1]) }), ("logsumexp", { try $0.logsumexp(axes: [2]) }),
            ("mean", { try $0.mean(axes: [1, 2]) }),
        ]
        for (name, op) in cases {
            let t = x.requiresGrad()
            let out = try op(t)
            // Weights as in the generator: torch.linspace(0.5, 1.5, numel).
            let w = try Tensor.linspace(0.5, 1.5, count: out.elementCount).reshaped(out.shape)
            try (out * w).sum().backward()
            expectClose(try #require(t.grad), try golden("rgrad_\(name)"), rtol: 1e-5, atol: 1e-6, name)
        }
    }

    @Test func gradientsAccumulateAcrossBackwardCallsUntilZeroed() throws {
        let x = try Tensor([1, 2, 3], shape: [3]).requiresGrad()
        try (x * x).sum().backward()
        try (x * 3).sum().backward()
        #expect(x.grad?.scalars == [5, 7, 9])  // 2x + 3
        x.zeroGrad()
        #expect(x.grad == nil)
        // A tensor used twice in one graph sums both paths.
        try (x * x + x).sum().backward()
        #expect(x.grad?.scalars == [3, 5, 7])
    }

    @Test func noGradDetachAndErrors() throws {
        let x = try Tensor([1, 2], shape: [2]).requiresGrad()
        let y = try withNoGrad { try x * 2 }
        #expect(!y.requiresGrad)
        #expect(!(try x.detached() * 2).requiresGrad)
        #expect(try (x * 2).requiresGrad)
        #expect(throws: TensorError.self) { try y.sum().backward() }
        #expect(throws: TensorError.self) { try (x * 2).backward() }  // not a scalar
        let z = try x * 2
        try z.backward(Tensor([1, 10], shape: [2]))
        #expect(x.grad?.scalars == [2, 20])
    }

    @Test func noGradIsTaskLocal() async throws {
        let x = try Tensor([1], shape: [1]).requiresGrad()
        await withNoGrad {
            let inner = Task { try? x * 2 }  // unstructured tasks inherit task-locals
            #expect(await inner.value?.requiresGrad == false)
        }
        let outside = try await Task.detached { try x * 2 }.value
        #expect(outside.requiresGrad)
    }

    @Test func assignKeepsTheLeafAndCopyOnWriteProtectsTheGraph() throws {
        var w = try Tensor([1, 2], shape: [2]).requiresGrad()
        let loss = try (w * w).sum()
        let node = w.gradNode
        try w.withUnsafeMutableBufferPointer { $0[0] = 100 }  // like an optimizer step, after forward
        try loss.backward()
        // The graph saw the old values (COW copied w's storage): d/dw sum(w²) = 2·[1, 2].
        #expect(w.grad?.scalars == [2, 4] && w.gradNode === node)
        try w.assign(Tensor([5, 6], shape: [2]))
        #expect(w.scalars == [5, 6] && w.gradNode === node && w.grad?.scalars == [2, 4])
    }
}

@Suite struct AutogradDocExampleTests {
    /// The example in `Tensor`'s documentation, worked by hand: w·x = [4.5, 9] > -1, so relu passes and
    /// d loss / d w[i][j] = x[j].
    @Test func documentedExampleHolds() throws {
        let w = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]).requiresGrad()
        let x = try Tensor([0.5, -1, 2], shape: [3])
        let loss = try (w.matmul(x) + 1).relu().sum()
        #expect(try loss.item() == 15.5)
        try loss.backward()
        #expect(w.grad?.scalars == [0.5, -1, 2, 0.5, -1, 2])
    }
}
