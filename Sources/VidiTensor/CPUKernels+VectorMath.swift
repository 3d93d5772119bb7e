import CVectorMath

/// A float32 array function of CVectorMath: eight lanes at a time with SLEEF's AVX2 functions (1.0 ULP),
/// glibc's scalar ones on CPUs without AVX2/FMA. Elementwise and position-independent, so any chunking
/// gives the same bits.
struct VectorFunction: Sendable {
    let apply: @convention(c) (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void

    static let exp = VectorFunction(apply: vidi_vexp)
    static let tanh = VectorFunction(apply: vidi_vtanh)
    static let sigmoid = VectorFunction(apply: vidi_vsigmoid)
    static let quickGELU = VectorFunction(apply: vidi_vquick_gelu)
    static let quickGELUGradient = VectorFunction(apply: vidi_vquick_gelu_grad)
    static let geluErf = VectorFunction(apply: vidi_vgelu_erf)
    static let geluErfGradient = VectorFunction(apply: vidi_vgelu_erf_grad)
    static let geluTanh = VectorFunction(apply: vidi_vgelu_tanh)
    static let geluTanhGradient = VectorFunction(apply: vidi_vgelu_tanh_grad)

    /// Whether this CPU runs the SLEEF path (the scalar fallback otherwise).
    static var usesSLEEF: Bool { vidi_vector_math_uses_sleef() != 0 }
}

extension CPUKernels {
    /// `out[i] = f(x[i])` for a float32 tensor, out contiguous of `x`'s shape. Strided rows are gathered
    /// into the output first and transformed in place.
    static func map(_ x: Tensor, _ f: VectorFunction) -> Tensor {
        mapRows(x, outDType: .float32) { (o: UnsafeMutablePointer<Float>, a: UnsafeMutablePointer<Float>, sa, n) in
            if sa == 1 {
                f.apply(a, o, n)
            } else {
                for i in 0..<n { o[i] = a[i * sa] }
                f.apply(o, o, n)
            }
        }
    }

    /// `exp(x[i] - shift)` for `n` contiguous floats (softmax rows).
    @inline(__always)
    static func expShifted(_ x: UnsafePointer<Float>, shift: Float, into y: UnsafeMutablePointer<Float>, count n: Int) {
        vidi_vexp_shifted(x, shift, y, n)
    }
}
