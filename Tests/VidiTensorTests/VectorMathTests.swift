import Foundation
import Testing
@testable import VidiTensor

/// The SLEEF-vectorised transcendentals (CPUKernels+VectorMath.swift, Sources/CVectorMath) against the same
/// formulas in double precision with glibc's libm (Foundation), an independent reference; PyTorch goldens
/// for sigmoid/GELU/softmax are in ElementwiseTests and ReductionTests. SLEEF's u10 functions are within
/// 1.0 ULP; the composed formulas (sigmoid, GELU) add a few float32 roundings, hence the bounds below.
@Suite struct VectorMathTests {
    /// −30…30 in steps that hit many tail lengths, plus the edges.
    private let inputs: [Float] = stride(from: -30.0, through: 30.0, by: 0.0137).map { Float($0) }
        + [0, -0, 1e-30, -1e-30, 88, -87, 100, -100, Float.greatestFiniteMagnitude, -Float.greatestFiniteMagnitude]

    private func check(_ name: String, _ f: VectorFunction, reference: (Double) -> Double,
                       relative: Double, absolute: Double) {
        var out = [Float](repeating: .nan, count: inputs.count)
        inputs.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { y in f.apply(x.baseAddress, y.baseAddress, x.count) } }
        var worst = 0.0, worstAt: Float = 0
        for (x, y) in zip(inputs, out) {
            let r = reference(Double(x))
            if Float(r).isInfinite { #expect(y == Float(r), "\(name)(\(x)) = \(y), expected \(r)"); continue }
            let excess = Swift.abs(Double(y) - r) - Swift.max(relative * Swift.abs(r), absolute)
            if excess > worst { worst = excess; worstAt = x }
        }
        #expect(worst == 0, "\(name): error beyond the bound at x = \(worstAt)")
    }

    private static func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }

    @Test func functionsMatchDoublePrecisionLibm() {
        let ulp = Double(Float.ulpOfOne)
        check("exp", .exp, reference: { Foundation.exp($0) }, relative: 1.5 * ulp, absolute: 1e-37)
        check("tanh", .tanh, reference: { Foundation.tanh($0) }, relative: 1.5 * ulp, absolute: 1e-45)
        check("sigmoid", .sigmoid, reference: Self.sigmoid, relative: 3 * ulp, absolute: 1e-37)
        // 1.702·x is rounded to float32 first, as in the kernel and in PyTorch's `x * torch.sigmoid(1.702 * x)`.
        func scaled(_ x: Double) -> Double { Double(Float(1.702) * Float(x)) }
        check("quickGELU", .quickGELU, reference: { $0 * Self.sigmoid(scaled($0)) }, relative: 4 * ulp, absolute: 1e-37)
        check("quickGELU'", .quickGELUGradient, reference: { x in
            let s = Self.sigmoid(scaled(x)); return s + scaled(x) * s * (1 - s)
        }, relative: 8 * ulp, absolute: 1e-6)
        // 1 + erf(x/√2) cancels for negative x: absolute bounds there (as the PyTorch goldens' atol).
        check("gelu", .geluErf, reference: { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) }, relative: 4 * ulp, absolute: 1e-6)
        check("gelu'", .geluErfGradient, reference: { x in
            0.5 * (1 + erf(x / 2.0.squareRoot())) + x * Foundation.exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
        }, relative: 8 * ulp, absolute: 1e-6)
        let k = (2 / Double.pi).squareRoot()
        check("geluTanh", .geluTanh, reference: { 0.5 * $0 * (1 + Foundation.tanh(k * ($0 + 0.044715 * $0 * $0 * $0))) },
              relative: 4 * ulp, absolute: 1e-6)
    }

    @Test func nonFiniteInputs() {
        let x: [Float] = [.nan, .infinity, -.infinity]
        func run(_ f: VectorFunction) -> [Float] {
            var y = [Float](repeating: 0, count: 3)
            x.withUnsafeBufferPointer { a in y.withUnsafeMutableBufferPointer { b in f.apply(a.baseAddress, b.baseAddress, 3) } }
            return y
        }
        let e = run(.exp), s = run(.sigmoid), t = run(.tanh)
        #expect(e[0].isNaN && e[1] == .infinity && e[2] == 0)
        #expect(s[0].isNaN && s[1] == 1 && s[2] == 0)
        #expect(t[0].isNaN && t[1] == 1 && t[2] == -1)
    }

    /// An element's value never depends on where a chunk boundary falls (tails go through the vector path).
    @Test func resultsDoNotDependOnChunking() {
        let x = Array(inputs.prefix(1000))
        for f in [VectorFunction.exp, .sigmoid, .quickGELU, .geluErf, .geluTanhGradient] {
            var whole = [Float](repeating: 0, count: x.count), pieces = whole
            x.withUnsafeBufferPointer { a in
                whole.withUnsafeMutableBufferPointer { f.apply(a.baseAddress, $0.baseAddress, a.count) }
                pieces.withUnsafeMutableBufferPointer { out in
                    var start = 0, length = 1
                    while start < a.count {
                        let n = Swift.min(length, a.count - start)
                        f.apply(a.baseAddress! + start, out.baseAddress! + start, n)
                        start += n
                        length = length % 13 + 1
                    }
                }
            }
            #expect(whole == pieces)
        }
    }

    @Test func stridedInputEqualsContiguous() throws {
        var generator = RandomGenerator(seed: 5)
        let base = Tensor.uniform([7, 9], low: -6, high: 6, generator: &generator)
        let strided = try base.transposed(0, 1)
        #expect(!strided.isContiguous)
        #expect(try strided.sigmoid().scalars == (try strided.contiguous().sigmoid()).scalars)
        #expect(try strided.gelu().scalars == (try strided.contiguous().gelu()).scalars)
    }

    /// QuickGELU's fused pass against the three ops it replaced in CLIP's MLP, values and gradients.
    @Test func quickGELUMatchesTheUnfusedOps() throws {
        var generator = RandomGenerator(seed: 17)
        let x = Tensor.uniform([3, 5, 41], low: -8, high: 8, generator: &generator).requiresGrad()
        let fused = try x.quickGELU()
        let x2 = x.detached().requiresGrad()
        let unfused = try x2 * (x2 * 1.702).sigmoid()
        for (a, b) in zip(fused.scalars, unfused.scalars) {
            #expect(Swift.abs(a - b) <= 4 * Float.ulpOfOne * Swift.max(Swift.abs(b), 1e-30), "\(a) vs \(b)")
        }
        let upstream = Tensor.uniform([3, 5, 41], low: -1, high: 1, generator: &generator)
        try (fused * upstream).sum().backward()
        try (unfused * upstream).sum().backward()
        for (a, b) in zip(try #require(x.grad).scalars, try #require(x2.grad).scalars) {
            #expect(Swift.abs(a - b) <= 1e-6 + 1e-5 * Swift.abs(b), "\(a) vs \(b)")
        }
    }
}
