import Testing
import VidiTensor
import VidiTestSupport

/// Expected values: PyTorch `F.max_pool*`, `F.avg_pool*`, `F.adaptive_*_pool*` in float64 and its autograd
/// (Tools/goldens/make_nnops_goldens.py); finite differences for the gradient checks.
@Suite struct NNPoolingTests {
    @Test func maxPooling() throws {
        try expectMatchesTorch("max_pool1d", inputs: ["x"]) {
            try $0[0].maxPool1d(kernelSize: 3, stride: 2, padding: 1, dilation: 2, ceilMode: true)
        }
        try expectMatchesTorch("max_pool2d", inputs: ["x"]) {
            try $0[0].maxPool2d(kernelSize: [3, 2], stride: [2, 3], padding: [1, 1], dilation: [1, 2])
        }
        try expectMatchesTorch("max_pool2d_ceil", inputs: ["x"]) {
            try $0[0].maxPool2d(kernelSize: [3], stride: [2], padding: [1], ceilMode: true)
        }
        try expectMatchesTorch("max_pool3d", inputs: ["x"]) {
            try $0[0].maxPool3d(kernelSize: [2, 3, 2], stride: [2, 2, 1], padding: [1, 1, 0])
        }
    }

    /// Under no-grad max pooling takes the direct loop without the taps table or argmax; the same PyTorch
    /// goldens must hold exactly (a maximum is one of the inputs, no rounding).
    @Test func maxPoolingWithoutGradMatchesTorch() throws {
        try withNoGrad {
            try expectMatchesTorch("max_pool1d", inputs: ["x"], rtol: 0, atol: 0, gradients: false) {
                try $0[0].maxPool1d(kernelSize: 3, stride: 2, padding: 1, dilation: 2, ceilMode: true)
            }
            try expectMatchesTorch("max_pool2d", inputs: ["x"], rtol: 0, atol: 0, gradients: false) {
                try $0[0].maxPool2d(kernelSize: [3, 2], stride: [2, 3], padding: [1, 1], dilation: [1, 2])
            }
            try expectMatchesTorch("max_pool2d_ceil", inputs: ["x"], rtol: 0, atol: 0, gradients: false) {
                try $0[0].maxPool2d(kernelSize: [3], stride: [2], padding: [1], ceilMode: true)
            }
            try expectMatchesTorch("max_pool3d", inputs: ["x"], rtol: 0, atol: 0, gradients: false) {
                try $0[0].maxPool3d(kernelSize: [2, 3, 2], stride: [2, 2, 1], padding: [1, 1, 0])
            }
            try expectMatchesTorch("adaptive_max2d", inputs: ["x"], rtol: 0, atol: 0, gradients: false) {
                try $0[0].adaptiveMaxPool2d(outputSize: [3, 7])
            }
            // NaN wins and a window wholly in padding gives -inf, as with grad.
            let nan = try Tensor([1, .nan, 3, 4], shape: [1, 1, 4]).maxPool1d(kernelSize: 2).scalars
            #expect(nan[0].isNaN && nan[1] == 4)
            let padded = try Tensor([0, 1, 2, 3], shape: [1, 1, 2, 2])
                .maxPool2d(kernelSize: [1, 2], stride: [1], padding: [0, 1], dilation: [1, 3])
            #expect(padded.scalars == [-.infinity, -.infinity])
        }
    }

    @Test func averagePooling() throws {
        try expectMatchesTorch("avg_pool1d", inputs: ["x"]) {
            try $0[0].avgPool1d(kernelSize: 4, stride: 3, padding: 2, ceilMode: true, countIncludePad: false)
        }
        try expectMatchesTorch("avg_pool2d_incl", inputs: ["x"]) {
            try $0[0].avgPool2d(kernelSize: [3], stride: [2], padding: [1], ceilMode: true, countIncludePad: true)
        }
        try expectMatchesTorch("avg_pool2d_excl", inputs: ["x"]) {
            try $0[0].avgPool2d(kernelSize: [3], stride: [2], padding: [1], ceilMode: true, countIncludePad: false)
        }
        try expectMatchesTorch("avg_pool3d", inputs: ["x"]) {
            try $0[0].avgPool3d(kernelSize: [2, 2, 3], stride: [2, 1, 2], padding: [1, 0, 1], ceilMode: true)
        }
    }

    @Test func adaptivePooling() throws {
        try expectMatchesTorch("adaptive_avg1d", inputs: ["x"]) { try $0[0].adaptiveAvgPool1d(outputSize: 4) }
        try expectMatchesTorch("adaptive_avg2d", inputs: ["x"]) { try $0[0].adaptiveAvgPool2d(outputSize: [3, 7]) }
        try expectMatchesTorch("adaptive_avg3d", inputs: ["x"]) { try $0[0].adaptiveAvgPool3d(outputSize: [2, 3, 4]) }
        try expectMatchesTorch("adaptive_max1d", inputs: ["x"]) { try $0[0].adaptiveMaxPool1d(outputSize: 4) }
        try expectMatchesTorch("adaptive_max2d", inputs: ["x"]) { try $0[0].adaptiveMaxPool2d(outputSize: [3, 7]) }
        try expectMatchesTorch("adaptive_max3d", inputs: ["x"]) { try $0[0].adaptiveMaxPool3d(outputSize: [2, 3, 4]) }
    }

    @Test func unbatchedAndStridedInputs() throws {
        // [C, H, W] pools like a batch of one; a permuted view pools like its contiguous copy.
        let x = try nnGolden("max_pool2d_ceil_x"), expected = try nnGolden("max_pool2d_ceil_out")
        let unbatched = try x.selecting(axis: 0, index: 0).maxPool2d(kernelSize: [3], stride: [2], padding: [1], ceilMode: true)
        expectClose(unbatched, try expected.selecting(axis: 0, index: 0), rtol: 0, atol: 0)
        let view = try x.permuted([0, 2, 3, 1]).contiguous().permuted([0, 3, 1, 2])
        #expect(!view.isContiguous)
        expectClose(try view.maxPool2d(kernelSize: [3], stride: [2], padding: [1], ceilMode: true), expected, rtol: 0, atol: 0)
    }

    @Test func maxPoolPropagatesNaN() throws {
        let x = try Tensor([1, .nan, 3, 4], shape: [1, 1, 4])
        let out = try x.maxPool1d(kernelSize: 2).scalars
        #expect(out[0].isNaN && out[1] == 4)
    }

    @Test func windowInPaddingOnlyGivesMinusInfinityAndNoGradient() throws {
        // Dilation 3 with padding 1 puts both taps of each window outside a width-2 input; PyTorch's forward
        // also gives -inf (its backward sends the gradient to an arbitrary element, which we do not copy).
        let x = try Tensor([0, 1, 2, 3], shape: [1, 1, 2, 2]).requiresGrad()
        let y = try x.maxPool2d(kernelSize: [1, 2], stride: [1], padding: [0, 1], dilation: [1, 3])
        #expect(y.shape == [1, 1, 2, 1] && y.scalars == [-.infinity, -.infinity])
        try y.sum().backward()
        #expect(x.grad?.scalars == [0, 0, 0, 0])
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        let x = smallInput([1, 2, 5, 6], seed: 31, low: -2, high: 2)
        try gradCheck([x]) { try $0[0].maxPool2d(kernelSize: [2, 3], stride: [2, 2], padding: [1, 1], ceilMode: true) }
        try gradCheck([x]) { try $0[0].avgPool2d(kernelSize: [3], stride: [2], padding: [1], ceilMode: true, countIncludePad: false) }
        try gradCheck([x]) { try $0[0].adaptiveAvgPool2d(outputSize: [3, 4]) }
        try gradCheck([x]) { try $0[0].adaptiveMaxPool2d(outputSize: [2, 4]) }
        try gradCheck([smallInput([1, 1, 3, 4, 4], seed: 32)]) { try $0[0].avgPool3d(kernelSize: [2], stride: [1, 2, 2]) }
    }

    @Test func badArgumentsThrow() {
        let x = Tensor.zeros([1, 2, 5, 5])
        #expect(throws: TensorError.self) { try x.maxPool2d(kernelSize: [3], padding: [2]) }
        #expect(throws: TensorError.self) { try x.maxPool2d(kernelSize: [6]) }
        #expect(throws: TensorError.self) { try x.maxPool2d(kernelSize: [2, 2, 2]) }
        #expect(throws: TensorError.self) { try x.avgPool2d(kernelSize: [0]) }
        #expect(throws: TensorError.self) { try x.maxPool1d(kernelSize: 2) }
        #expect(throws: TensorError.self) { try Tensor.zeros([5]).avgPool1d(kernelSize: 2) }
        #expect(throws: TensorError.self) { try x.adaptiveAvgPool2d(outputSize: [0, 2]) }
        #expect(throws: TensorError.self) { try Tensor.zeros([1, 2, 0, 5]).adaptiveMaxPool2d(outputSize: [2]) }
    }
}
