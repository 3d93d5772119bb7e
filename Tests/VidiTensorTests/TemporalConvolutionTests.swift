import Testing
@testable import VidiTensor
import VidiTestSupport

/// Depth-only convolutions (kernel `k×1×1`, stride 1: R(2+1)D's temporal step) run as per-tap GEMMs on the
/// tensors themselves (`TemporalLayout`). Forward, input gradient and weight gradient are checked against the
/// sums written out in Double here (the independent reference) and against the shifted-GEMM kernels the path
/// replaces (the unfused reference: padded copy of the input, wide buffer copied out).
///
/// Tolerance: rtol = atol = 2e-5, the convolution goldens' tolerance. A forward or input-gradient element sums
/// at most 3 · 64 products of order-1 values; a weight-gradient element sums at most N · D_o · H · W = 1,125
/// (float direct summation errs ≈ √terms · 2⁻²⁴ ≈ 2e-6 there). A wrong tap, plane range or shift errs by whole
/// terms (≥ 0.01).
@Suite struct TemporalConvolutionTests {
    private struct Case {
        let n: Int, cin: Int, cout: Int, groups: Int, depth: Int, h: Int, w: Int
        let kernel: Int, padding: Int, dilation: Int, bias: Bool
        var outDepth: Int { depth + 2 * padding - dilation * (kernel - 1) }
        var cig: Int { cin / groups }
        var cog: Int { cout / groups }
        var xShape: [Int] { [n, cin, depth, h, w] }
        var wShape: [Int] { [cout, cig, kernel, 1, 1] }
        var yShape: [Int] { [n, cout, outDepth, h, w] }
    }

    /// Calls `body(xIndex, wIndex, yIndex)` for every term `y += w · x` of the convolution that reads inside the input.
    private static func forEachTerm(_ c: Case, _ body: (Int, Int, Int) -> Void) {
        let plane = c.h * c.w
        for image in 0..<c.n {
            for co in 0..<c.cout {
                let group = co / c.cog
                for ci in 0..<c.cig {
                    for tap in 0..<c.kernel {
                        for od in 0..<c.outDepth {
                            let id = od + tap * c.dilation - c.padding
                            guard id >= 0, id < c.depth else { continue }
                            let xBase = ((image * c.cin + group * c.cig + ci) * c.depth + id) * plane
                            let yBase = ((image * c.cout + co) * c.outDepth + od) * plane
                            let wIndex = (co * c.cig + ci) * c.kernel + tap
                            for p in 0..<plane { body(xBase + p, wIndex, yBase + p) }
                        }
                    }
                }
            }
        }
    }

    /// Output, input gradient and weight gradient summed in Double.
    private static func direct(_ c: Case, x: [Float], w: [Float], b: [Float]?, gy: [Float]) -> (y: [Float], gx: [Float], gw: [Float]) {
        let plane = c.outDepth * c.h * c.w
        var y = (0..<(c.n * c.cout * plane)).map { index in b.map { Double($0[(index / plane) % c.cout]) } ?? 0 }
        var gx = [Double](repeating: 0, count: x.count), gw = [Double](repeating: 0, count: w.count)
        forEachTerm(c) { xi, wi, yi in
            y[yi] += Double(w[wi]) * Double(x[xi])
            gx[xi] += Double(w[wi]) * Double(gy[yi])
            gw[wi] += Double(gy[yi]) * Double(x[xi])
        }
        return (y.map { Float($0) }, gx.map { Float($0) }, gw.map { Float($0) })
    }

    private static func check(_ c: Case, seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var generator = RandomGenerator(seed: seed)
        let x = Tensor.uniform(c.xShape, low: -1, high: 1, generator: &generator)
        let bound = 1 / Float(c.cig * c.kernel).squareRoot()
        let weight = Tensor.uniform(c.wShape, low: -bound, high: bound, generator: &generator)
        let bias = c.bias ? Tensor.uniform([c.cout], low: -1, high: 1, generator: &generator) : nil
        let gy = Tensor.uniform(c.yShape, low: -1, high: 1, generator: &generator)
        let g = try ConvGeometry(input: x, weight: weight, bias: bias, spatialRank: 3, stride: [1], padding: [c.padding, 0, 0],
                                 dilation: [c.dilation, 1, 1], groups: c.groups, op: "test")
        #expect(g.outputShape == c.yShape && CPUKernels.usesTemporalKernels(g), sourceLocation: sourceLocation)
        let reference = Self.direct(c, x: x.scalars, w: weight.scalars, b: bias?.scalars, gy: gy.scalars)

        let pairs: [(String, Tensor, Tensor, [Float], [Int])] = [
            ("output", CPUKernels.temporalConvolution(x, weight: weight, bias: bias, g),
             CPUKernels.shiftedConvolution(x, weight: weight, bias: bias, g), reference.y, c.yShape),
            ("input gradient", CPUKernels.temporalConvolutionInputGradient(gy, weight: weight, g),
             CPUKernels.shiftedConvolutionInputGradient(gy, weight: weight, g), reference.gx, c.xShape),
            ("weight gradient", CPUKernels.temporalConvolutionWeightGradient(x, gradOutput: gy, g),
             CPUKernels.shiftedConvolutionWeightGradient(x, gradOutput: gy, g), reference.gw, c.wShape),
        ]
        for (name, temporal, shifted, expected, shape) in pairs {
            expectClose(temporal, try Tensor(expected, shape: shape), rtol: 2e-5, atol: 2e-5, "\(name): temporal vs Double",
                        sourceLocation: sourceLocation)
            expectClose(temporal, shifted, rtol: 2e-5, atol: 2e-5, "\(name): temporal vs shifted", sourceLocation: sourceLocation)
        }
    }

    @Test func r2plus1dTemporalStep() throws {
        // 3×1×1, depth padding 1 (every output plane gets the middle tap), batch 2, C_in ≠ C_out.
        try Self.check(Case(n: 2, cin: 5, cout: 7, groups: 1, depth: 6, h: 3, w: 4, kernel: 3, padding: 1, dilation: 1, bias: false), seed: 21)
    }

    @Test func validPaddingWithBias() throws {
        try Self.check(Case(n: 1, cin: 4, cout: 6, groups: 1, depth: 7, h: 2, w: 5, kernel: 3, padding: 0, dilation: 1, bias: true), seed: 22)
    }

    @Test func planesThatReadOnlyPadding() throws {
        // Padding 3 with a 3-tap kernel: the first and last output planes get no term (zeros, then the bias),
        // and the input gradient's first and last planes are covered by one tap only.
        try Self.check(Case(n: 2, cin: 3, cout: 4, groups: 1, depth: 4, h: 3, w: 3, kernel: 3, padding: 3, dilation: 1, bias: true), seed: 23)
    }

    @Test func dilatedAndGrouped() throws {
        try Self.check(Case(n: 2, cin: 6, cout: 4, groups: 2, depth: 7, h: 2, w: 3, kernel: 2, padding: 1, dilation: 2, bias: true), seed: 24)
    }

    @Test func columnsSpanSeveralBlocks() throws {
        // 64 rows on each side: blocks of 1,024 columns over 5 planes of 225 (the second block starts inside
        // the last plane; the first is only partly covered by the first tap), forward and input gradient.
        try Self.check(Case(n: 1, cin: 64, cout: 64, groups: 1, depth: 5, h: 15, w: 15, kernel: 3, padding: 1, dilation: 1, bias: false), seed: 25)
    }

    @Test func whichConvolutionsTakeThePath() throws {
        func geometry(kernel: [Int], stride: [Int] = [1], padding: [Int]) throws -> ConvGeometry {
            let x = Tensor(zeroed: [1, 4, 6, 5, 5], dtype: .float32), w = Tensor(zeroed: [4, 4] + kernel, dtype: .float32)
            return try ConvGeometry(input: x, weight: w, bias: nil, spatialRank: 3, stride: stride, padding: padding,
                                    dilation: [1], groups: 1, op: "test")
        }
        #expect(CPUKernels.usesTemporalKernels(try geometry(kernel: [3, 1, 1], padding: [1, 0, 0])))
        #expect(CPUKernels.usesTemporalKernels(try geometry(kernel: [1, 1, 1], padding: [1, 0, 0])))
        #expect(!CPUKernels.usesTemporalKernels(try geometry(kernel: [1, 1, 1], padding: [0])), "pointwise: plain GEMM")
        #expect(!CPUKernels.usesTemporalKernels(try geometry(kernel: [3, 1, 1], stride: [2, 1, 1], padding: [1, 0, 0])))
        #expect(!CPUKernels.usesTemporalKernels(try geometry(kernel: [3, 1, 1], padding: [1, 1, 0])))
        #expect(!CPUKernels.usesTemporalKernels(try geometry(kernel: [1, 3, 3], padding: [0, 1, 1])))
    }

    /// Through `conv3d` and autograd: the public path dispatches here and its gradients are the Double sums.
    @Test func publicConv3dAndGradients() throws {
        let c = Case(n: 2, cin: 4, cout: 5, groups: 1, depth: 5, h: 3, w: 2, kernel: 3, padding: 1, dilation: 1, bias: false)
        var generator = RandomGenerator(seed: 26)
        let x = Tensor.uniform(c.xShape, low: -1, high: 1, generator: &generator).requiresGrad()
        let w = Tensor.uniform(c.wShape, low: -0.5, high: 0.5, generator: &generator).requiresGrad()
        let r = Tensor.uniform(c.yShape, low: -1, high: 1, generator: &generator)
        let y = try x.conv3d(weight: w, padding: [1, 0, 0])
        try (y * r).sum().backward()
        let reference = Self.direct(c, x: x.scalars, w: w.scalars, b: nil, gy: r.scalars)
        expectClose(y, try Tensor(reference.y, shape: c.yShape), rtol: 2e-5, atol: 2e-5, "output")
        expectClose(try #require(x.grad), try Tensor(reference.gx, shape: c.xShape), rtol: 2e-5, atol: 2e-5, "input gradient")
        expectClose(try #require(w.grad), try Tensor(reference.gw, shape: c.wShape), rtol: 2e-5, atol: 2e-5, "weight gradient")
    }

    @Test func forwardSeesAnInPlaceWeightUpdate() throws {
        var generator = RandomGenerator(seed: 27)
        let x = Tensor.uniform([1, 8, 5, 4, 4], low: -1, high: 1, generator: &generator)
        var weight = Tensor.uniform([8, 8, 3, 1, 1], low: -0.3, high: 0.3, generator: &generator)
        let first = try x.conv3d(weight: weight, padding: [1, 0, 0])
        // Scale in place: the per-tap weights kept with the storage must be rebuilt.
        try weight.withUnsafeMutableBufferPointer { values in
            for i in values.indices { values[i] *= 2 }
        }
        let second = try x.conv3d(weight: weight, padding: [1, 0, 0])
        expectClose(second, try first * 2, rtol: 1e-6, atol: 1e-6)
    }

    /// Each GEMM goes through `sgemm`'s thread-independent tiling and the blocks are fixed by the shape, so the
    /// three kernels give the same bits at one and two threads.
    @Test func sameBitsForOneAndTwoThreads() throws {
        var generator = RandomGenerator(seed: 28)
        let x = Tensor.uniform([2, 64, 5, 16, 16], low: -1, high: 1, generator: &generator)
        let weight = Tensor.uniform([96, 64, 3, 1, 1], low: -0.1, high: 0.1, generator: &generator)
        let gy = Tensor.uniform([2, 96, 5, 16, 16], low: -1, high: 1, generator: &generator)
        let g = try ConvGeometry(input: x, weight: weight, bias: nil, spatialRank: 3, stride: [1], padding: [1, 0, 0],
                                 dilation: [1], groups: 1, op: "test")
        let bits = atOneAndTwoThreads {
            CPUKernels.temporalConvolution(x, weight: weight, bias: nil, g).scalars.map(\.bitPattern)
                + CPUKernels.temporalConvolutionInputGradient(gy, weight: weight, g).scalars.map(\.bitPattern)
                + CPUKernels.temporalConvolutionWeightGradient(x, gradOutput: gy, g).scalars.map(\.bitPattern)
        }
        #expect(bits[0] == bits[1])
    }
}
