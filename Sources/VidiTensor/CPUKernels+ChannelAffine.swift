extension CPUKernels {
    /// `out = relu?((x · scale[c] + shift[c]) + residual)` over `planes` planes of `planeSize` elements,
    /// plane p having channel `p mod channels`. `out` may be `x` (in place). Planes are split across cores
    /// in fixed chunks; each element is computed alone, so results do not depend on the thread count.
    static func channelAffine(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                              scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, residual: UnsafePointer<Float>?,
                              planes: Int, channels: Int, planeSize: Int, relu: Bool) {
        guard planes > 0, planeSize > 0 else { return }
        let grain = Parallel.balancedGrain(count: planes, itemSize: planeSize)
        Parallel.forEachChunk(count: planes, grain: grain) { _, range in
            for plane in range {
                let start = plane * planeSize
                affinePlane(x + start, out + start, residual.map { $0 + start }, count: planeSize,
                            scale: scale[plane % channels], shift: shift[plane % channels], relu: relu)
            }
        }
    }

    /// One plane, eight lanes at a time (the scalar loop with its NaN-keeping ReLU branch does not
    /// vectorise). Multiply, add and residual add are separate roundings, as in the unfused ops: Swift
    /// never contracts them into a fused multiply-add.
    @inline(__always)
    private static func affinePlane(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ residual: UnsafePointer<Float>?,
                                    count: Int, scale s: Float, shift t: Float, relu: Bool) {
        typealias Lanes = SIMD8<Float>
        let (vs, vt, zero) = (Lanes(repeating: s), Lanes(repeating: t), Lanes(repeating: 0))
        let source = UnsafeRawPointer(x), destination = UnsafeMutableRawPointer(out)
        let added = residual.map { UnsafeRawPointer($0) }
        var i = 0
        while i + 8 <= count {
            var v = source.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self) * vs
            v = v + vt
            if let added { v = v + added.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self) }
            // x ≤ 0 → 0 keeps NaN (the comparison is false), as ReluF does.
            if relu { v.replace(with: zero, where: v .<= zero) }
            destination.storeBytes(of: v, toByteOffset: i * 4, as: Lanes.self)
            i += 8
        }
        while i < count {
            var v = x[i] * s
            v = v + t
            if let residual { v = v + residual[i] }
            out[i] = relu ? ReluF()(v) : v
            i += 1
        }
    }
}
