import Testing
import VidiTensor
import VidiTestSupport

/// Expected values: PyTorch `F.interpolate` and, for `sampledLinearly`, `F.grid_sample(align_corners=True,
/// padding_mode="zeros")` on a height-1 image, in float64 with autograd (Tools/goldens/make_nnops_goldens.py);
/// finite differences for the gradient checks.
@Suite struct NNInterpolationTests {
    @Test func nearest() throws {
        try expectMatchesTorch("nearest1d", inputs: ["x"]) { try $0[0].interpolate(size: [8]) }
        try expectMatchesTorch("nearest2d_scale", inputs: ["x"]) { try $0[0].interpolate(scaleFactor: [1.7]) }
        try expectMatchesTorch("nearest3d", inputs: ["x"]) { try $0[0].interpolate(size: [3, 5, 2], mode: .nearest) }
    }

    @Test func linearModesWithAndWithoutAlignCorners() throws {
        try expectMatchesTorch("linear_align", inputs: ["x"]) { try $0[0].interpolate(size: [11], mode: .linear, alignCorners: true) }
        try expectMatchesTorch("linear_down", inputs: ["x"]) { try $0[0].interpolate(size: [4], mode: .linear, alignCorners: false) }
        try expectMatchesTorch("bilinear_align", inputs: ["x"]) { try $0[0].interpolate(size: [7, 9], mode: .bilinear, alignCorners: true) }
        try expectMatchesTorch("bilinear_scale", inputs: ["x"]) { try $0[0].interpolate(scaleFactor: [1.5], mode: .bilinear) }
        try expectMatchesTorch("bilinear_down", inputs: ["x"]) { try $0[0].interpolate(size: [3, 3], mode: .bilinear) }
        try expectMatchesTorch("trilinear", inputs: ["x"]) { try $0[0].interpolate(size: [5, 3, 7], mode: .trilinear) }
        try expectMatchesTorch("trilinear_align", inputs: ["x"]) {
            try $0[0].interpolate(scaleFactor: [2, 1.5, 0.5], mode: .trilinear, alignCorners: true)
        }
    }

    @Test func stridedInputResizesLikeItsCopy() throws {
        let x = try nnGolden("bilinear_align_x")
        let view = try x.transposed(2, 3).contiguous().transposed(2, 3)
        #expect(!view.isContiguous)
        expectClose(try view.interpolate(size: [7, 9], mode: .bilinear, alignCorners: true), try nnGolden("bilinear_align_out"),
                    rtol: 2e-5, atol: 2e-5)
    }

    @Test func linearSamplingAtFractionalPositions() throws {
        try expectMatchesTorch("sample_linear", inputs: ["signal", "positions"]) { try $0[0].sampledLinearly(at: $0[1]) }
        try expectMatchesTorch("sample_linear_batched", inputs: ["signal", "positions"]) { try $0[0].sampledLinearly(at: $0[1]) }
        // At integer positions the value is the sample itself.
        let signal = try Tensor([1, 2, 4, 8], shape: [1, 4])
        #expect(try signal.sampledLinearly(at: Tensor([0, 1, 3])).scalars == [1, 2, 8])
        #expect(try signal.sampledLinearly(at: Tensor([.nan, 1e30, -1e30])).scalars == [0, 0, 0])
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        let x = smallInput([1, 2, 3, 4], seed: 41)
        try gradCheck([x]) { try $0[0].interpolate(size: [5, 7], mode: .bilinear, alignCorners: true) }
        try gradCheck([x]) { try $0[0].interpolate(scaleFactor: [0.75, 1.3], mode: .bilinear) }
        try gradCheck([x]) { try $0[0].interpolate(size: [6, 3]) }
        try gradCheck([smallInput([1, 1, 2, 3, 3], seed: 42)]) { try $0[0].interpolate(size: [3, 4, 2], mode: .trilinear) }
        // Positions kept away from integers, where the derivative jumps.
        let positions = try Tensor([0.3, 1.6, 2.45, -0.5, 4.7], shape: [5])
        try gradCheck([smallInput([2, 5], seed: 43), positions], epsilon: 1e-2) { try $0[0].sampledLinearly(at: $0[1]) }
    }

    @Test func badArgumentsThrow() {
        let x = Tensor.zeros([1, 2, 4, 4])
        #expect(throws: TensorError.self) { try x.interpolate(size: [8], mode: .linear) }
        #expect(throws: TensorError.self) { try x.interpolate(size: [8], mode: .trilinear) }
        #expect(throws: TensorError.self) { try x.interpolate(size: [8, 8], alignCorners: true) }
        #expect(throws: TensorError.self) { try x.interpolate(size: [8, 8], scaleFactor: [2]) }
        #expect(throws: TensorError.self) { try x.interpolate() }
        #expect(throws: TensorError.self) { try x.interpolate(size: [8, 8, 8]) }
        #expect(throws: TensorError.self) { try x.interpolate(scaleFactor: [0.1]) }
        #expect(throws: TensorError.self) { try x.interpolate(scaleFactor: [1e300]) }
        #expect(throws: TensorError.self) { try Tensor.zeros([4, 4]).interpolate(size: [8]) }
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 3, 5]).sampledLinearly(at: Tensor.zeros([3, 4])) }
        #expect(throws: TensorError.self) { try Tensor.zeros([3, 5]).sampledLinearly(at: Tensor.arange(count: 2)) }
        #expect(throws: TensorError.self) { try Tensor.zeros([5]).sampledLinearly(at: Tensor.zeros([2])) }
    }
}
