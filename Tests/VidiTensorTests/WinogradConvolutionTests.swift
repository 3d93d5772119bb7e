import Testing
@testable import VidiTensor
import VidiTestSupport

/// Winograd F(2×2, 3×3) against the shifted-GEMM path it replaces in the forward pass, and both against a
/// direct convolution summed in Double here (the independent reference).
///
/// Tolerance: the PyTorch golden tolerance of the convolution tests, rtol = atol = 2e-5, on outputs of
/// order one. Why it holds: the transforms only add, subtract and halve (each transformed input is a sum
/// of at most 4 inputs, each transformed weight at most 9/4 of the largest weight), so Winograd's rounding
/// error is a small constant times direct summation's, ≈ √(9·C_in)·2⁻²⁴·|values| ≈ 1e-6 here — an order
/// below the tolerance, while a wrong tap, tile or padding offset errs by the size of a term (≈ 0.1).
@Suite struct WinogradConvolutionTests {
    /// `[N, C_out, D, H, W]` output of a 1×3×3 (or 3×3) stride-1 convolution, summed in Double.
    private static func directReference(_ x: [Float], _ w: [Float], _ b: [Float], n: Int, cin: Int, cout: Int,
                                        depth: Int, h: Int, wd: Int, padH: Int, padW: Int) -> [Float] {
        let (oh, ow) = (h + 2 * padH - 2, wd + 2 * padW - 2)
        var out = [Float](repeating: 0, count: n * cout * depth * oh * ow)
        for image in 0..<n {
            for co in 0..<cout {
                for d in 0..<depth {
                    for y in 0..<oh {
                        for xo in 0..<ow {
                            var total = Double(b[co])
                            for ci in 0..<cin {
                                for kh in 0..<3 {
                                    let iy = y + kh - padH
                                    guard iy >= 0, iy < h else { continue }
                                    for kw in 0..<3 {
                                        let ix = xo + kw - padW
                                        guard ix >= 0, ix < wd else { continue }
                                        let input = x[(((image * cin + ci) * depth + d) * h + iy) * wd + ix]
                                        total += Double(input) * Double(w[((co * cin + ci) * 3 + kh) * 3 + kw])
                                    }
                                }
                            }
                            out[(((image * cout + co) * depth + d) * oh + y) * ow + xo] = Float(total)
                        }
                    }
                }
            }
        }
        return out
    }

    private static func check(n: Int, cin: Int, cout: Int, depth: Int = 1, h: Int, w: Int, padH: Int, padW: Int,
                              seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var generator = RandomGenerator(seed: seed)
        let is3D = depth > 1
        let xShape = is3D ? [n, cin, depth, h, w] : [n, cin, h, w]
        let wShape = is3D ? [cout, cin, 1, 3, 3] : [cout, cin, 3, 3]
        let x = Tensor.uniform(xShape, low: -1, high: 1, generator: &generator)
        // PyTorch's default init scale, so outputs are of order one.
        let bound = 1 / Float(9 * cin).squareRoot()
        let weight = Tensor.uniform(wShape, low: -bound, high: bound, generator: &generator)
        let bias = Tensor.uniform([cout], low: -bound, high: bound, generator: &generator)
        let padding = is3D ? [0, padH, padW] : [padH, padW]
        let g = try ConvGeometry(input: x, weight: weight, bias: bias, spatialRank: is3D ? 3 : 2, stride: [1],
                                 padding: padding, dilation: [1], groups: 1, op: "test")
        #expect(WinogradLayout.fits(g), sourceLocation: sourceLocation)
        let winograd = CPUKernels.winogradConvolution(x, weight: weight, bias: bias, g)
        let shifted = CPUKernels.shiftedConvolution(x, weight: weight, bias: bias, g)
        let reference = try Tensor(Self.directReference(x.scalars, weight.scalars, bias.scalars, n: n, cin: cin, cout: cout,
                                                        depth: depth, h: h, wd: w, padH: padH, padW: padW), shape: g.outputShape)
        expectClose(winograd, reference, rtol: 2e-5, atol: 2e-5, "winograd vs Double", sourceLocation: sourceLocation)
        expectClose(shifted, reference, rtol: 2e-5, atol: 2e-5, "shifted vs Double", sourceLocation: sourceLocation)
        expectClose(winograd, shifted, rtol: 2e-5, atol: 2e-5, "winograd vs shifted", sourceLocation: sourceLocation)
    }

    @Test func matchesDirectSummationOnOddShapes() throws {
        // ResNet's 'same' padding on a 7×7 map (odd: the last tile row and column are half outside).
        try Self.check(n: 1, cin: 16, cout: 16, h: 7, w: 7, padH: 1, padW: 1, seed: 1)
        // Batch > 1, odd and unequal sizes, C_in ≠ C_out.
        try Self.check(n: 2, cin: 17, cout: 24, h: 9, w: 6, padH: 1, padW: 1, seed: 2)
        // No padding ('valid'), and padding 2 / 0 per axis.
        try Self.check(n: 3, cin: 20, cout: 16, h: 5, w: 8, padH: 0, padW: 0, seed: 3)
        try Self.check(n: 1, cin: 16, cout: 19, h: 11, w: 13, padH: 2, padW: 0, seed: 4)
        // A 1×3×3 3-D convolution (R(2+1)D's spatial step): frames convolved like images.
        try Self.check(n: 2, cin: 16, cout: 16, depth: 3, h: 6, w: 5, padH: 1, padW: 1, seed: 5)
    }

    @Test func tilesSpanSeveralBlocks() throws {
        // 3 images × 20×20 tiles = 1,200 tiles; with 16 + 16 channels a block holds 1,024, so the second
        // block starts inside the third image.
        let g = ConvGeometry(spatialRank: 2, batch: 3, inChannels: 16, outChannels: 16, groups: 1, input: [1, 40, 40],
                             kernel: [1, 3, 3], output: [1, 40, 40], stride: [1, 1, 1], padding: [0, 1, 1], dilation: [1, 1, 1])
        let layout = WinogradLayout(g)
        #expect(layout.tileCount == 1200 && layout.block < layout.tileCount && layout.tileCount % layout.block != 0)
        try Self.check(n: 3, cin: 16, cout: 16, h: 40, w: 40, padH: 1, padW: 1, seed: 6)
    }

    @Test func publicConvolutionTakesWinogradAndKeepsItsWeightsCurrent() throws {
        var generator = RandomGenerator(seed: 7)
        let x = Tensor.uniform([1, 64, 6, 6], low: -1, high: 1, generator: &generator)
        var weight = Tensor.uniform([64, 64, 3, 3], low: -0.05, high: 0.05, generator: &generator)
        let g = try ConvGeometry(input: x, weight: weight, bias: nil, spatialRank: 2, stride: [1], padding: [1],
                                 dilation: [1], groups: 1, op: "test")
        #expect(CPUKernels.usesWinograd(g) == CPUKernels.winogradEnabled)
        let first = try x.conv2d(weight: weight, padding: [1])
        // Scale the weights in place: the transformed weights kept with the storage must be rebuilt.
        try weight.withUnsafeMutableBufferPointer { values in
            for i in values.indices { values[i] *= 2 }
        }
        let second = try x.conv2d(weight: weight, padding: [1])
        expectClose(second, try first * 2, rtol: 1e-6, atol: 1e-6)
    }
}
