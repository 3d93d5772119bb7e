/// Max and average pooling over the windows of a `PoolGeometry`, planes split across cores. Backward passes
/// scatter within a plane only, so planes run in parallel and sums are deterministic.
extension CPUKernels {
    private static func planeGrain(_ g: PoolGeometry) -> Int {
        Swift.max(1, Parallel.defaultGrain / Swift.max(1, g.inputVolume + g.outputVolume))
    }

    /// Runs `body(plane, offsets, taps)` over all planes in parallel with the geometry's windows.
    private static func forEachPlane(_ g: PoolGeometry, _ body: (_ plane: Int, _ offsets: UnsafePointer<Int>, _ taps: UnsafePointer<Int32>) -> Void) {
        let (offsets, windowTaps) = g.windows()
        // Windows without taps read nothing; one unused entry keeps the buffer's pointer non-nil.
        let taps = windowTaps.isEmpty ? [0] : windowTaps
        offsets.withUnsafeBufferPointer { offsetBuffer in
            taps.withUnsafeBufferPointer { tapBuffer in
                guard let po = offsetBuffer.baseAddress, let pt = tapBuffer.baseAddress else { return }
                Parallel.forEachChunk(count: g.planes, grain: planeGrain(g)) { _, range in
                    for plane in range { body(plane, po, pt) }
                }
            }
        }
    }

    /// Window maxima and the flat in-plane index of each maximum (-1 for an empty window). NaN wins, as in PyTorch.
    /// Without `recordArgmax` (inference: no backward will read them) the indices are not kept (empty array) and
    /// `windowMaxima` computes the values.
    static func maxPool(_ x: Tensor, _ g: PoolGeometry, recordArgmax: Bool = true) -> (values: Tensor, argmax: [Int32]) {
        guard recordArgmax else { return (windowMaxima(x, g), []) }
        // Every output element is written below (an empty window gives -inf).
        let out = Tensor(uninitialized: [g.planes * g.outputVolume], dtype: .float32)
        var argmax = [Int32](repeating: 0, count: g.planes * g.outputVolume)
        let px = x.typedPointer(Float.self), pv = out.typedPointer(Float.self)
        let (inVol, outVol) = (g.inputVolume, g.outputVolume)
        argmax.withUnsafeMutableBufferPointer { indices in
            let pi = indices.baseAddress
            withExtendedLifetime(x) {
                forEachPlane(g) { plane, offsets, taps in
                    let src = px + plane * inVol
                    for o in 0..<outVol {
                        var best = -Float.infinity, bestIndex: Int32 = -1
                        for t in offsets[o]..<offsets[o + 1] {
                            let v = src[Int(taps[t])]
                            if bestIndex < 0 || v > best || v.isNaN { best = v; bestIndex = taps[t] }
                        }
                        // A window that lies wholly in padding (possible with dilation) gives -inf and no gradient.
                        pv[plane * outVol + o] = best
                        pi?[plane * outVol + o] = bestIndex
                    }
                }
            }
        }
        return (out, argmax)
    }

    /// Window maxima straight from each axis's window bounds, without building the taps table or tracking
    /// the argmax (inference: ResNet's stem pool spent most of its time on those). Separable: per output
    /// line, the maxima down the window's input lines (one contiguous, vectorisable pass), then across each
    /// window's columns. Same values as the tabled loop: NaN wins, an empty window gives -inf.
    private static func windowMaxima(_ x: Tensor, _ g: PoolGeometry) -> Tensor {
        let out = Tensor(uninitialized: [g.planes * g.outputVolume], dtype: .float32)
        let px = x.typedPointer(Float.self), pv = out.typedPointer(Float.self)
        let (inVol, outVol, a, b, c) = (g.inputVolume, g.outputVolume, g.axes[0], g.axes[1], g.axes[2])
        let (inH, inW) = (g.input[1], g.input[2])
        withExtendedLifetime(x) {
            Parallel.forEachChunk(count: g.planes, grain: planeGrain(g)) { _, range in
                let down = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(inW, 1))
                defer { down.deallocate() }
                for plane in range {
                    let src = px + plane * inVol
                    var target = pv + plane * outVol
                    for od in 0..<a.outputs {
                        for oh in 0..<b.outputs {
                            down.update(repeating: -.infinity, count: inW)
                            for i in 0..<a.count[od] {
                                for j in 0..<b.count[oh] {
                                    let line = src + ((a.first[od] + i * a.step) * inH + b.first[oh] + j * b.step) * inW
                                    for w in 0..<inW {
                                        let (v, kept) = (line[w], down[w])
                                        down[w] = v > kept || v.isNaN ? v : kept
                                    }
                                }
                            }
                            for ow in 0..<c.outputs {
                                var best = -Float.infinity
                                let first = c.first[ow]
                                for k in 0..<c.count[ow] {
                                    let v = down[first + k * c.step]
                                    if v > best || v.isNaN { best = v }
                                }
                                target.pointee = best
                                target += 1
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Gradient of `maxPool`: each output gradient goes to its window's maximum.
    static func maxPoolBackward(_ gradOutput: Tensor, argmax: [Int32], _ g: PoolGeometry) -> Tensor {
        let gradInput = Tensor(zeroed: [g.planes * g.inputVolume], dtype: .float32)
        let pg = gradOutput.typedPointer(Float.self), pi = gradInput.typedPointer(Float.self)
        let (inVol, outVol) = (g.inputVolume, g.outputVolume)
        argmax.withUnsafeBufferPointer { indices in
            guard let index = indices.baseAddress else { return }
            withExtendedLifetime(gradOutput) {
                Parallel.forEachChunk(count: g.planes, grain: planeGrain(g)) { _, range in
                    for plane in range {
                        for o in plane * outVol..<(plane + 1) * outVol where index[o] >= 0 {
                            pi[plane * inVol + Int(index[o])] += pg[o]
                        }
                    }
                }
            }
        }
        return gradInput
    }

    /// Window means (sums divided by the window size, with or without padding).
    static func averagePool(_ x: Tensor, _ g: PoolGeometry, countIncludePad: Bool) -> Tensor {
        let out = Tensor(zeroed: [g.planes * g.outputVolume], dtype: .float32)
        let divisors = g.averageDivisors(countIncludePad: countIncludePad)
        let px = x.typedPointer(Float.self), pv = out.typedPointer(Float.self)
        let (inVol, outVol) = (g.inputVolume, g.outputVolume)
        divisors.withUnsafeBufferPointer { divisor in
            withExtendedLifetime(x) {
                forEachPlane(g) { plane, offsets, taps in
                    let src = px + plane * inVol
                    for o in 0..<outVol {
                        var total: Float = 0
                        for t in offsets[o]..<offsets[o + 1] { total += src[Int(taps[t])] }
                        pv[plane * outVol + o] = total / divisor[o]
                    }
                }
            }
        }
        return out
    }

    /// Gradient of `averagePool`: each output gradient spread evenly over its window.
    static func averagePoolBackward(_ gradOutput: Tensor, _ g: PoolGeometry, countIncludePad: Bool) -> Tensor {
        let gradInput = Tensor(zeroed: [g.planes * g.inputVolume], dtype: .float32)
        let divisors = g.averageDivisors(countIncludePad: countIncludePad)
        let pg = gradOutput.typedPointer(Float.self), pi = gradInput.typedPointer(Float.self)
        let (inVol, outVol) = (g.inputVolume, g.outputVolume)
        divisors.withUnsafeBufferPointer { divisor in
            withExtendedLifetime(gradOutput) {
                forEachPlane(g) { plane, offsets, taps in
                    let dst = pi + plane * inVol
                    for o in 0..<outVol {
                        let share = pg[plane * outVol + o] / divisor[o]
                        for t in offsets[o]..<offsets[o + 1] { dst[Int(taps[t])] += share }
                    }
                }
            }
        }
        return gradInput
    }
}
