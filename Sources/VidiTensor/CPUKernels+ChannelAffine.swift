extension CPUKernels {
    /// `out = relu?((x · scale[c] + shift[c]) + residual)` over `planes` planes of `planeSize` elements,
    /// plane p having channel `p mod channels`. `out` may be `x` (in place). Planes are split across cores
    /// in fixed chunks; each element is computed alone, so results do not depend on the thread count.
    static func channelAffine(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                              scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, residual: UnsafePointer<Float>?,
                              planes: Int, channels: Int, planeSize: Int, relu: Bool) {
        guard planes > 0, planeSize > 0 else { return }
        let grain = Swift.max(1, Parallel.defaultGrain / planeSize)
        Parallel.forEachChunk(count: planes, grain: grain) { _, range in
            for plane in range {
                let (s, t) = (scale[plane % channels], shift[plane % channels])
                let src = x + plane * planeSize, dst = out + plane * planeSize
                // Separate statements: each step rounds as the unfused ops do (no fused multiply-add).
                switch (residual, relu) {
                case (nil, false):
                    for i in 0..<planeSize { let v = src[i] * s; dst[i] = v + t }
                case (nil, true):
                    for i in 0..<planeSize { let v = src[i] * s; dst[i] = ReluF()(v + t) }
                case (let r?, false):
                    let add = r + plane * planeSize
                    for i in 0..<planeSize { let v = src[i] * s; let w = v + t; dst[i] = w + add[i] }
                case (let r?, true):
                    let add = r + plane * planeSize
                    for i in 0..<planeSize { let v = src[i] * s; let w = v + t; dst[i] = ReluF()(w + add[i]) }
                }
            }
        }
    }
}
