import Testing
import VidiTensor
import VidiTestSupport

/// Expected values: PyTorch `F.conv{1,2,3}d` / `F.conv_transpose{1,2,3}d` in float64 and its autograd
/// (Tools/goldens/make_nnops_goldens.py); finite differences for the gradient checks.
@Suite struct NNConvolutionTests {
    @Test func conv1dGroupedStridedDilated() throws {
        try expectMatchesTorch("conv1d", inputs: ["x", "w", "b"]) {
            try $0[0].conv1d(weight: $0[1], bias: $0[2], stride: 2, padding: 1, dilation: 2, groups: 2)
        }
    }

    @Test func conv2dPerAxisArguments() throws {
        try expectMatchesTorch("conv2d", inputs: ["x", "w", "b"]) {
            try $0[0].conv2d(weight: $0[1], bias: $0[2], stride: [2, 1], padding: [1, 0], dilation: [1, 2])
        }
        try expectMatchesTorch("conv2d_depthwise", inputs: ["x", "w"]) {
            try $0[0].conv2d(weight: $0[1], padding: [1], groups: 4)
        }
        try expectMatchesTorch("conv2d_pointwise", inputs: ["x", "w", "b"]) {
            try $0[0].conv2d(weight: $0[1], bias: $0[2])
        }
    }

    @Test func conv3d() throws {
        try expectMatchesTorch("conv3d", inputs: ["x", "w", "b"]) {
            try $0[0].conv3d(weight: $0[1], bias: $0[2], stride: [1, 2, 1], padding: [0, 1, 1], dilation: [2, 1, 1])
        }
    }

    @Test func strideOneConvolutions() throws {
        try expectMatchesTorch("conv2d_s1", inputs: ["x", "w", "b"]) { try $0[0].conv2d(weight: $0[1], bias: $0[2], padding: [1]) }
        try expectMatchesTorch("conv1d_s1", inputs: ["x", "w", "b"]) {
            try $0[0].conv1d(weight: $0[1], bias: $0[2], padding: 2, dilation: 3)
        }
        try expectMatchesTorch("conv3d_s1", inputs: ["x", "w", "b"]) {
            try $0[0].conv3d(weight: $0[1], bias: $0[2], padding: [1, 2, 0], dilation: [1, 2, 1], groups: 2)
        }
    }

    @Test func transposedConvolutions() throws {
        try expectMatchesTorch("convt1d", inputs: ["x", "w", "b"]) {
            try $0[0].convTranspose1d(weight: $0[1], bias: $0[2], stride: 3, padding: 2, outputPadding: 1)
        }
        try expectMatchesTorch("convt2d", inputs: ["x", "w", "b"]) {
            try $0[0].convTranspose2d(weight: $0[1], bias: $0[2], stride: [2], padding: [1], outputPadding: [1])
        }
        try expectMatchesTorch("convt2d_grouped", inputs: ["x", "w"]) {
            try $0[0].convTranspose2d(weight: $0[1], stride: [2, 1], dilation: [1, 2], groups: 2)
        }
        try expectMatchesTorch("convt3d", inputs: ["x", "w", "b"]) {
            try $0[0].convTranspose3d(weight: $0[1], bias: $0[2], stride: [1, 2, 2], padding: [0, 1, 0])
        }
    }

    @Test func nonContiguousOperandsGiveTheSameResult() throws {
        let x = try nnGolden("conv2d_x"), w = try nnGolden("conv2d_w"), b = try nnGolden("conv2d_b")
        // The same values stored channels-last / kernel-transposed, read through permuted views.
        let xView = try x.permuted([0, 2, 3, 1]).contiguous().permuted([0, 3, 1, 2])
        let wView = try w.transposed(0, 1).contiguous().transposed(0, 1)
        #expect(!xView.isContiguous && !wView.isContiguous)
        let out = try xView.conv2d(weight: wView, bias: b, stride: [2, 1], padding: [1, 0], dilation: [1, 2])
        expectClose(out, try nnGolden("conv2d_out"), rtol: 2e-5, atol: 2e-5)
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        try gradCheck([smallInput([2, 4, 7], seed: 1), smallInput([2, 2, 3], seed: 2), smallInput([2], seed: 3)]) {
            try $0[0].conv1d(weight: $0[1], bias: $0[2], stride: 2, padding: 2, dilation: 2, groups: 2)
        }
        try gradCheck([smallInput([1, 2, 5, 4], seed: 4), smallInput([3, 2, 2, 3], seed: 5), smallInput([3], seed: 6)]) {
            try $0[0].conv2d(weight: $0[1], bias: $0[2], stride: [1, 2], padding: [1])
        }
        try gradCheck([smallInput([1, 2, 3, 3, 4], seed: 7), smallInput([2, 1, 2, 2, 2], seed: 8)]) {
            try $0[0].conv3d(weight: $0[1], padding: [1, 0, 1], groups: 2)
        }
        try gradCheck([smallInput([1, 2, 3, 2], seed: 9), smallInput([2, 2, 3, 2], seed: 10), smallInput([2], seed: 11)]) {
            try $0[0].convTranspose2d(weight: $0[1], bias: $0[2], stride: [2], padding: [1], outputPadding: [1])
        }
    }

    @Test func badShapesThrow() {
        let x = Tensor.zeros([1, 4, 5, 5])
        // Wrong rank, channel count, groups, bias shape, kernel larger than the padded input, argument counts.
        #expect(throws: TensorError.self) { try Tensor.zeros([4, 5, 5]).conv2d(weight: Tensor.zeros([2, 4, 3, 3])) }
        #expect(throws: TensorError.self) { try x.conv2d(weight: Tensor.zeros([2, 3, 3, 3])) }
        #expect(throws: TensorError.self) { try x.conv2d(weight: Tensor.zeros([3, 2, 3, 3]), groups: 2) }
        #expect(throws: TensorError.self) { try x.conv2d(weight: Tensor.zeros([2, 4, 3, 3]), bias: Tensor.zeros([3])) }
        #expect(throws: TensorError.self) { try x.conv2d(weight: Tensor.zeros([2, 4, 7, 1])) }
        #expect(throws: TensorError.self) { try x.conv2d(weight: Tensor.zeros([2, 4, 3, 3]), dilation: [3]) }
        #expect(throws: TensorError.self) { try x.conv2d(weight: Tensor.zeros([2, 4, 3, 3]), stride: [1, 1, 1]) }
        #expect(throws: TensorError.self) { try x.conv2d(weight: Tensor.zeros([2, 4, 3, 3]), stride: [0]) }
        #expect(throws: TensorError.self) { try x.conv2d(weight: Tensor.zeros([2, 4, 3, 3]), padding: [-1]) }
        #expect(throws: TensorError.self) { try x.convTranspose2d(weight: Tensor.zeros([4, 2, 3, 3]), stride: [2], outputPadding: [2]) }
        #expect(throws: TensorError.self) { try x.convTranspose2d(weight: Tensor.zeros([3, 2, 3, 3])) }
        #expect(throws: TensorError.self) { try Tensor.arange(count: 10).reshaped([1, 1, 10]).conv1d(weight: Tensor.zeros([1, 1, 3])) }
    }
}
