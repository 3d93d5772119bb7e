import Testing
@testable import VidiTensor
import VidiTestSupport

/// The gradients of a 3×3 stride-1 convolution by Winograd F(2×2, 3×3) (the input gradient as the forward
/// kernel on the output gradient with the kernel turned and channels swapped; the weight gradient as the
/// forward's adjoint) against the shifted-GEMM gradients they replace, against the gradients written out as
/// sums in Double here (the independent reference), and, through the public API, against central finite
/// differences.
///
/// Tolerance: rtol = 2e-5 and, for the input gradient, atol = 2e-5, the convolution goldens' tolerance (its
/// sums have at most 9·C_out ≤ 216 terms, like the forward's). The weight gradient sums N·H_o·W_o terms per
/// weight (up to 4,800 here), and Winograd rounds larger intermediates than direct summation: each ∂U entry
/// sums products of two transformed values, each a sum of up to 4 inputs or output gradients, and ∂g
/// combines 9 ∂U entries that largely cancel, so its rounding error is ≈ 10× direct summation's,
/// ≈ √terms · 2⁻²⁴ · 10 (inputs and gradients of order 1): measured 4.0e-5 at 4,800 terms (direct summation
/// in float: 5e-6). Its atol is therefore 2e-6 · √terms (2.1e-5 at 108 terms, 1.4e-4 at 4,800), ≈ 3.5× the
/// error measured; a wrong tap, tile, flip or padding errs by whole terms (≥ 0.1, and ≈ √terms / 3 for a
/// weight gradient).
@Suite struct WinogradGradientTests {
    private struct Case {
        let n: Int, cin: Int, cout: Int, depth: Int, h: Int, w: Int, padH: Int, padW: Int
        var oh: Int { h + 2 * padH - 2 }
        var ow: Int { w + 2 * padW - 2 }
        var xShape: [Int] { depth > 1 ? [n, cin, depth, h, w] : [n, cin, h, w] }
        var wShape: [Int] { depth > 1 ? [cout, cin, 1, 3, 3] : [cout, cin, 3, 3] }
        var yShape: [Int] { depth > 1 ? [n, cout, depth, oh, ow] : [n, cout, oh, ow] }
        var padding: [Int] { depth > 1 ? [0, padH, padW] : [padH, padW] }
    }

    /// Calls `body(image, d, co, ci, oy, ox, iy, ix, kh, kw)` for every term of the convolution sum that
    /// reads inside the image.
    private static func forEachTerm(_ c: Case, _ body: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int) -> Void) {
        for image in 0..<c.n {
            for d in 0..<c.depth {
                for co in 0..<c.cout {
                    for ci in 0..<c.cin {
                        for oy in 0..<c.oh {
                            for ox in 0..<c.ow {
                                for kh in 0..<3 {
                                    let iy = oy + kh - c.padH
                                    guard iy >= 0, iy < c.h else { continue }
                                    for kw in 0..<3 {
                                        let ix = ox + kw - c.padW
                                        guard ix >= 0, ix < c.w else { continue }
                                        body(image, d, co, ci, oy, ox, iy, ix, kh, kw)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `∂x[n, ci, d, iy, ix] = Σ ∂y[n, co, d, oy, ox] · w[co, ci, kh, kw]` and
    /// `∂w[co, ci, kh, kw] = Σ ∂y[n, co, d, oy, ox] · x[n, ci, d, iy, ix]`, summed in Double.
    private static func directGradients(_ c: Case, x: [Float], w: [Float], gy: [Float]) -> (input: [Float], weight: [Float]) {
        var gx = [Double](repeating: 0, count: x.count), gw = [Double](repeating: 0, count: w.count)
        forEachTerm(c) { image, d, co, ci, oy, ox, iy, ix, kh, kw in
            let xi = (((image * c.cin + ci) * c.depth + d) * c.h + iy) * c.w + ix
            let wi = ((co * c.cin + ci) * 3 + kh) * 3 + kw
            let g = Double(gy[(((image * c.cout + co) * c.depth + d) * c.oh + oy) * c.ow + ox])
            gx[xi] += g * Double(w[wi])
            gw[wi] += g * Double(x[xi])
        }
        return (gx.map { Float($0) }, gw.map { Float($0) })
    }

    private static func check(_ c: Case, seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var generator = RandomGenerator(seed: seed)
        let x = Tensor.uniform(c.xShape, low: -1, high: 1, generator: &generator)
        // PyTorch's default init scale.
        let bound = 1 / Float(9 * c.cin).squareRoot()
        let weight = Tensor.uniform(c.wShape, low: -bound, high: bound, generator: &generator)
        let gy = Tensor.uniform(c.yShape, low: -1, high: 1, generator: &generator)
        let g = try ConvGeometry(input: x, weight: weight, bias: nil, spatialRank: c.depth > 1 ? 3 : 2, stride: [1],
                                 padding: c.padding, dilation: [1], groups: 1, op: "test")
        #expect(g.outputShape == c.yShape && WinogradLayout.inputGradientGeometry(g) != nil, sourceLocation: sourceLocation)
        let reference = Self.directGradients(c, x: x.scalars, w: weight.scalars, gy: gy.scalars)
        let (referenceInput, referenceWeight) = (try Tensor(reference.input, shape: c.xShape), try Tensor(reference.weight, shape: c.wShape))

        let winogradInput = CPUKernels.winogradInputGradient(gy, weight: weight, g)
        let shiftedInput = CPUKernels.shiftedConvolutionInputGradient(gy, weight: weight, g)
        expectClose(winogradInput, referenceInput, rtol: 2e-5, atol: 2e-5, "input gradient: winograd vs Double", sourceLocation: sourceLocation)
        expectClose(shiftedInput, referenceInput, rtol: 2e-5, atol: 2e-5, "input gradient: shifted vs Double", sourceLocation: sourceLocation)
        expectClose(winogradInput, shiftedInput, rtol: 2e-5, atol: 2e-5, "input gradient: winograd vs shifted", sourceLocation: sourceLocation)

        let winogradWeight = CPUKernels.winogradWeightGradient(x, gradOutput: gy, g)
        let shiftedWeight = CPUKernels.shiftedConvolutionWeightGradient(x, gradOutput: gy, g)
        let weightAtol = 2e-6 * Float(c.n * c.depth * c.oh * c.ow).squareRoot()
        expectClose(winogradWeight, referenceWeight, rtol: 2e-5, atol: weightAtol, "weight gradient: winograd vs Double", sourceLocation: sourceLocation)
        expectClose(shiftedWeight, referenceWeight, rtol: 2e-5, atol: 2e-5, "weight gradient: shifted vs Double", sourceLocation: sourceLocation)
        expectClose(winogradWeight, shiftedWeight, rtol: 2e-5, atol: weightAtol, "weight gradient: winograd vs shifted", sourceLocation: sourceLocation)
    }

    @Test func matchesDirectSummationOnOddShapes() throws {
        // ResNet's 'same' padding on an odd map (the last tile row and column are half outside), batch 2.
        try Self.check(Case(n: 2, cin: 16, cout: 16, depth: 1, h: 7, w: 7, padH: 1, padW: 1), seed: 11)
        // C_in ≠ C_out, odd and unequal sizes.
        try Self.check(Case(n: 3, cin: 17, cout: 24, depth: 1, h: 9, w: 6, padH: 1, padW: 1), seed: 12)
        // 'valid' (the adjoint pads by 2) and padding 2 / 0 per axis (the adjoint pads by 0 / 2).
        try Self.check(Case(n: 2, cin: 20, cout: 16, depth: 1, h: 5, w: 8, padH: 0, padW: 0), seed: 13)
        try Self.check(Case(n: 1, cin: 16, cout: 19, depth: 1, h: 11, w: 13, padH: 2, padW: 0), seed: 14)
        // A 1×3×3 3-D convolution (R(2+1)D's spatial step).
        try Self.check(Case(n: 2, cin: 16, cout: 16, depth: 3, h: 6, w: 5, padH: 1, padW: 1), seed: 15)
    }

    @Test func tilesSpanSeveralBlocks() throws {
        // 3 images × 20×20 tiles = 1,200 tiles in blocks of 1,024: the weight gradient accumulates across
        // blocks, and the second block starts inside the third image.
        try Self.check(Case(n: 3, cin: 16, cout: 16, depth: 1, h: 40, w: 40, padH: 1, padW: 1), seed: 16)
    }

    @Test func paddingAboveTwoKeepsTheShiftedInputGradient() throws {
        let g = ConvGeometry(spatialRank: 2, batch: 1, inChannels: 64, outChannels: 64, groups: 1, input: [1, 4, 4],
                             kernel: [1, 3, 3], output: [1, 8, 8], stride: [1, 1, 1], padding: [0, 3, 3], dilation: [1, 1, 1])
        #expect(WinogradLayout.inputGradientGeometry(g) == nil)
        #expect(!CPUKernels.usesWinogradInputGradient(g))
    }

    /// `L = Σ r ⊙ conv(x, w)` through the public API (64 channels, so both gradients take Winograd); `L` is
    /// linear in each of x and w, so a central difference has no truncation error, only rounding: outputs of
    /// order 0.5 carry ≈ 4e-7 each (576-term float sums), a probe changes at most 576 of them (9 positions ×
    /// 64 channels, or 70 for a weight), ≈ 6e-6 in L, over 2h = 0.1 ≈ 6e-5 — the tolerance 5e-4 is eight
    /// times that; a wrong tap errs by ≈ 0.1.
    @Test func publicGradientsMatchFiniteDifferences() throws {
        var generator = RandomGenerator(seed: 17)
        let x = Tensor.uniform([2, 64, 5, 7], low: -1, high: 1, generator: &generator)
        let w = Tensor.uniform([64, 64, 3, 3], low: -0.04, high: 0.04, generator: &generator)
        let r = Tensor.uniform([2, 64, 5, 7], low: -1, high: 1, generator: &generator)
        let g = try ConvGeometry(input: x, weight: w, bias: nil, spatialRank: 2, stride: [1], padding: [1], dilation: [1],
                                 groups: 1, op: "test")
        #expect(CPUKernels.usesWinogradInputGradient(g) == CPUKernels.winogradEnabled)
        let (xg, wg) = (x.requiresGrad(), w.requiresGrad())
        try (try xg.conv2d(weight: wg, padding: [1]) * r).sum().backward()
        let (gradX, gradW) = (try #require(xg.grad).scalars, try #require(wg.grad).scalars)

        let rValues = r.scalars
        func loss(_ xValues: [Float], _ wValues: [Float]) throws -> Double {
            let y = try withNoGrad { try Tensor(xValues, shape: x.shape).conv2d(weight: try Tensor(wValues, shape: w.shape), padding: [1]) }
            return zip(y.scalars, rValues).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        let h: Float = 0.05
        let (xValues, wValues) = (x.scalars, w.scalars)
        // Corners, edges and the middle of the map, and weights of several taps and channel pairs.
        for index in [0, 6, 34, 17, 2 * 64 * 35 - 1, 64 * 35 + 3 * 35 + 12] {
            var plus = xValues, minus = xValues
            plus[index] += h
            minus[index] -= h
            let difference = (try loss(plus, wValues) - loss(minus, wValues)) / Double(2 * h)
            #expect(abs(difference - Double(gradX[index])) <= 5e-4, "∂x[\(index)]: \(gradX[index]) vs \(difference)")
        }
        for index in [0, 4, 8, 9 * 64 + 5, 64 * 64 * 9 - 1, (37 * 64 + 11) * 9 + 2] {
            var plus = wValues, minus = wValues
            plus[index] += h
            minus[index] -= h
            let difference = (try loss(xValues, plus) - loss(xValues, minus)) / Double(2 * h)
            #expect(abs(difference - Double(gradW[index])) <= 5e-4, "∂w[\(index)]: \(gradW[index]) vs \(difference)")
        }
    }

    @Test func inputGradientSeesAnInPlaceWeightUpdate() throws {
        var generator = RandomGenerator(seed: 18)
        let x = Tensor.uniform([1, 64, 6, 6], low: -1, high: 1, generator: &generator)
        var weight = Tensor.uniform([64, 64, 3, 3], low: -0.05, high: 0.05, generator: &generator)
        let gy = Tensor.uniform([1, 64, 6, 6], low: -1, high: 1, generator: &generator)
        let g = try ConvGeometry(input: x, weight: weight, bias: nil, spatialRank: 2, stride: [1], padding: [1],
                                 dilation: [1], groups: 1, op: "test")
        let first = CPUKernels.convolutionInputGradient(gy, weight: weight, g)
        // Scale in place: the adjoint's transformed weights kept with the storage must be rebuilt.
        try weight.withUnsafeMutableBufferPointer { values in
            for i in values.indices { values[i] *= 2 }
        }
        let second = CPUKernels.convolutionInputGradient(gy, weight: weight, g)
        expectClose(second, try first * 2, rtol: 1e-6, atol: 1e-6)
    }

    /// Each of the 16 products is one whole GEMM and the transforms are per channel, so the gradients are the
    /// same bits at one and two threads.
    @Test func sameBitsForOneAndTwoThreads() throws {
        var generator = RandomGenerator(seed: 19)
        let x = Tensor.uniform([2, 64, 9, 9], low: -1, high: 1, generator: &generator)
        let weight = Tensor.uniform([64, 64, 3, 3], low: -0.05, high: 0.05, generator: &generator)
        let gy = Tensor.uniform([2, 64, 9, 9], low: -1, high: 1, generator: &generator)
        let g = try ConvGeometry(input: x, weight: weight, bias: nil, spatialRank: 2, stride: [1], padding: [1],
                                 dilation: [1], groups: 1, op: "test")
        let bits = atOneAndTwoThreads {
            CPUKernels.winogradInputGradient(gy, weight: weight, g).scalars.map(\.bitPattern)
                + CPUKernels.winogradWeightGradient(x, gradOutput: gy, g).scalars.map(\.bitPattern)
        }
        #expect(bits[0] == bits[1])
    }
}
