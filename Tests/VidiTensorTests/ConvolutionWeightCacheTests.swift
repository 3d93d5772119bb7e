import Testing
import VidiTensor
import VidiTestSupport

/// Stride-1 convolutions keep their weights regrouped per kernel tap with the weight's storage and rebuild
/// them after an in-place write. Expected values: PyTorch's `F.conv2d(x, w, b, padding=1)` and its input
/// gradient (the `conv2d_s1` goldens, Tools/goldens/make_nnops_goldens.py), and the same convolution with a
/// fresh copy of the weight (new storage, nothing cached), which must agree bit for bit.
@Suite struct ConvolutionWeightCacheTests {
    private static func convolve(_ x: Tensor, _ w: Tensor, _ b: Tensor) throws -> Tensor {
        try x.conv2d(weight: w, bias: b, padding: [1])
    }

    /// A copy in new storage: nothing derived from it is cached yet.
    private static func freshCopy(_ t: Tensor) throws -> Tensor {
        try Tensor(t.scalars, shape: t.shape)
    }

    @Test func anSGDStepInPlaceGivesTheNewResult() throws {
        let x = try nnGolden("conv2d_s1_x"), w = try nnGolden("conv2d_s1_w"), b = try nnGolden("conv2d_s1_b")
        let expected = try nnGolden("conv2d_s1_out")
        // Start one above the golden weights; one SGD step (lr 1) on `sum(weight)`, whose gradient is all
        // ones, brings them back to the golden weights (up to one rounding of w + 1 - 1).
        let parameter = Parameter(try w + 1)
        // An identifier, not a reference: holding the storage would make the optimizer copy it (and a copy,
        // allocated while the old storage is alive, would have another identifier).
        let storage = ObjectIdentifier(parameter.value.storage)
        let before = try withNoGrad { try Self.convolve(x, parameter.value, b) }
        let again = try withNoGrad { try Self.convolve(x, parameter.value, b) }
        #expect(before.scalars == again.scalars)
        #expect(!Closeness(before, expected, rtol: 1e-2, atol: 1e-2).passed, "the shifted weights must change the output")

        try parameter.value.sum().backward()
        try SGD([parameter], learningRate: 1).step()
        // The step wrote into the same storage, so only the write count can tell the cache it is stale.
        #expect(ObjectIdentifier(parameter.value.storage) == storage)
        let after = try withNoGrad { try Self.convolve(x, parameter.value, b) }
        expectClose(after, expected, rtol: 2e-5, atol: 2e-5)
        #expect(after.scalars == (try Self.convolve(x, try Self.freshCopy(parameter.value), b)).scalars)

        // Training: the input gradient reads the same cached weights and must see the update too.
        let input = x.requiresGrad()
        let out = try Self.convolve(input, parameter.value, b)
        try (out * Tensor.linspace(0.5, 1.5, count: out.elementCount).reshaped(out.shape)).sum().backward()
        expectClose(try #require(input.grad), try nnGolden("conv2d_s1_grad_x"), rtol: 2e-5, atol: 2e-5)
    }

    @Test func copyingWeightsInPlaceGivesTheNewResult() throws {
        let x = try nnGolden("conv2d_s1_x"), w = try nnGolden("conv2d_s1_w"), b = try nnGolden("conv2d_s1_b")
        var weight = try Tensor([Float](repeating: 0.25, count: w.elementCount), shape: w.shape)
        let storage = ObjectIdentifier(weight.storage)
        let stale = try withNoGrad { try Self.convolve(x, weight, b) }
        // Loading weights into an existing tensor (as a checkpoint reader copying into place would).
        let values = w.scalars
        try weight.withUnsafeMutableBufferPointer { target in
            for i in target.indices { target[i] = values[i] }
        }
        #expect(ObjectIdentifier(weight.storage) == storage)
        let loaded = try withNoGrad { try Self.convolve(x, weight, b) }
        #expect(loaded.scalars != stale.scalars)
        expectClose(loaded, try nnGolden("conv2d_s1_out"), rtol: 2e-5, atol: 2e-5)
        #expect(loaded.scalars == (try Self.convolve(x, try Self.freshCopy(w), b)).scalars)
    }
}
