import Testing
import VidiTensor
import VidiTestSupport

/// `channelAffine` (BatchNorm-eval affine + residual + ReLU in one pass) against the unfused ops it
/// replaces, `((x · s + t) + r).relu()` built from Vidi's own broadcasting arithmetic (itself checked
/// against NumPy in ElementwiseTests). The fused kernel rounds step by step as those ops do, so the
/// values must be bit-identical, not merely close.
@Suite struct ChannelAffineTests {
    var generator = RandomGenerator(seed: 81)

    private func unfused(_ x: Tensor, _ s: Tensor, _ t: Tensor, _ r: Tensor?, relu: Bool) throws -> Tensor {
        let channelShape = [x.shape[1]] + Array(repeating: 1, count: x.rank - 2)
        var y = try x * s.reshaped(channelShape) + t.reshaped(channelShape)
        if let r { y = try y + r }
        return relu ? try y.relu() : y
    }

    @Test mutating func fusedEqualsUnfusedBitForBit() throws {
        for shape in [[2, 3, 4, 5], [3, 7, 2, 3, 4], [4, 6]] {
            let x = Tensor.uniform(shape, low: -2, high: 2, generator: &generator)
            let s = Tensor.uniform([shape[1]], low: -1.5, high: 1.5, generator: &generator)
            let t = Tensor.uniform([shape[1]], low: -1, high: 1, generator: &generator)
            let r = Tensor.uniform(shape, low: -1, high: 1, generator: &generator)
            for residual in [nil, r] {
                for relu in [false, true] {
                    let expected = try unfused(x, s, t, residual, relu: relu)
                    let fused = try withNoGrad { try x.channelAffine(scale: s, shift: t, residual: residual, relu: relu) }
                    #expect(fused.shape == shape)
                    #expect(fused.scalars == expected.scalars, "shape \(shape), residual \(residual != nil), relu \(relu)")
                }
            }
        }
    }

    @Test mutating func sharedInputIsLeftUnchangedAndTemporariesAreReused() throws {
        let x = Tensor.uniform([2, 4, 8, 8], low: -1, high: 1, generator: &generator)
        let before = x.scalars
        let s = Tensor.ones([4]), t = Tensor.full([4], value: -0.25)
        let y = try withNoGrad { try x.channelAffine(scale: s, shift: t, relu: true) }
        #expect(x.scalars == before, "a shared input must not be written")
        #expect(y.scalars == (try unfused(x, s, t, nil, relu: true)).scalars)
        // A temporary nobody else holds is written in place: same values either way.
        let z = try withNoGrad { try (x * 1).channelAffine(scale: s, shift: t, residual: x, relu: false) }
        #expect(z.scalars == (try unfused(x, s, t, x, relu: false)).scalars)
    }

    @Test mutating func nonContiguousInputAndNaN() throws {
        let base = Tensor.uniform([3, 2, 5], low: -1, high: 1, generator: &generator)
        let x = try base.permuted([1, 0, 2])                                         // [2, 3, 5], strided
        #expect(!x.isContiguous)
        let s = Tensor.uniform([3], low: 0.5, high: 1, generator: &generator), t = Tensor.zeros([3])
        let y = try withNoGrad { try x.channelAffine(scale: s, shift: t, relu: true) }
        #expect(y.scalars == (try unfused(x, s, t, nil, relu: true)).scalars)
        let nan = try Tensor([Float.nan, -1, 2, .infinity], shape: [1, 2, 2])
        let out = try withNoGrad { try nan.channelAffine(scale: Tensor.ones([2]), shift: Tensor.zeros([2]), relu: true) }.scalars
        #expect(out[0].isNaN && out[1] == 0 && out[2] == 2 && out[3] == .infinity, "ReLU keeps NaN as PyTorch does")
    }

    @Test mutating func recordsGradientsThroughTheUnfusedOps() throws {
        let x = Tensor.uniform([2, 3, 4], low: -1, high: 1, generator: &generator).requiresGrad()
        let s = Tensor.uniform([3], low: -1, high: 1, generator: &generator).requiresGrad()
        let t = Tensor.uniform([3], low: -1, high: 1, generator: &generator)
        try x.channelAffine(scale: s, shift: t, relu: true).sum().backward()
        let gx = try #require(x.grad), gs = try #require(s.grad)
        let x2 = x.detached().requiresGrad(), s2 = s.detached().requiresGrad()
        try unfused(x2, s2, t, nil, relu: true).sum().backward()
        #expect(gx.scalars == (try #require(x2.grad)).scalars)
        #expect(gs.scalars == (try #require(s2.grad)).scalars)
    }

    @Test func badShapesFallBackToTheOpsAndTheirErrors() throws {
        let x = Tensor.ones([2, 3, 4])
        #expect(throws: TensorError.self) { try withNoGrad { try x.channelAffine(scale: Tensor.ones([4]), shift: Tensor.zeros([4])) } }
        #expect(throws: TensorError.self) {
            try withNoGrad { try x.channelAffine(scale: Tensor.ones([3]), shift: Tensor.zeros([3]), residual: Tensor.ones([5, 3, 4])) }
        }
    }
}
