extension Tensor {
    /// Samples a signal at fractional positions along its last axis by linear interpolation (the continuous
    /// readout RCL uses for anchors; BMN's sampling mask does the same with fixed positions).
    ///
    /// `self` is `[C, T]` with `positions` of any shape `P`, giving `[C] + P`; or batched, `[B, C, T]` with
    /// `positions` `[B] + P`, giving `[B, C] + P`. Position `p` reads `(1 − λ)·x[⌊p⌋] + λ·x[⌊p⌋ + 1]`,
    /// `λ = p − ⌊p⌋`, where taps outside `0..<T` read zero — `torch.nn.functional.grid_sample` with
    /// `align_corners=True` and zero padding. Differentiable in the signal and in the positions
    /// (`∂out/∂p = x[⌊p⌋ + 1] − x[⌊p⌋]`, the right derivative at integers).
    public func sampledLinearly(at positions: Tensor) throws -> Tensor {
        let op = "sampledLinearly"
        try requireFloat(op)
        guard positions.dtype == .float32 else { throw TensorError.dtypeMismatch(op: op, expected: .float32, actual: positions.dtype) }
        let batched = rank == 3
        guard rank == 2 || (batched && positions.rank >= 1 && positions.shape[0] == shape[0]) else {
            throw TensorError.invalidArgument(op: op, reason: "signal \(shape) with positions \(positions.shape): need [C, T] with any positions, or [B, C, T] with positions [B, …]")
        }
        let batch = batched ? shape[0] : 1, channels = shape[rank - 2], length = shape[rank - 1]
        let pointShape = batched ? Array(positions.shape.dropFirst()) : positions.shape
        let points = Shape.elementCount(pointShape)
        let sampling = LinearSampling(batch: batch, channels: channels, length: length, points: points)
        let signal = detached().contiguousData(), locations = positions.detached().contiguousData()
        let outShape = (batched ? [batch, channels] : [channels]) + pointShape
        let out = try sampling.forward(signal, locations).reshaped(outShape)
        let (needSignal, needPositions) = (requiresGrad, positions.requiresGrad)
        let (signalShape, positionShape) = (shape, positions.shape)
        return Autograd.record(out, op: op, inputs: [self, positions]) { g in
            let gradOut = g.contiguousData()
            return [needSignal ? try sampling.signalGradient(gradOut, locations).reshaped(signalShape) : nil,
                    needPositions ? try sampling.positionGradient(gradOut, signal, locations).reshaped(positionShape) : nil]
        }
    }
}

/// The kernels of `sampledLinearly` over contiguous `signal [B, C, T]`, `positions [B, P]`, `out [B, C, P]`.
struct LinearSampling: Sendable {
    let batch: Int
    let channels: Int
    let length: Int
    let points: Int

    /// Left tap and weight of position `p`; taps outside the signal are reported as out of range by the caller.
    @inline(__always)
    private func taps(_ p: Float) -> (left: Int, lambda: Float)? {
        // Beyond one step outside the signal both taps read zero; this also keeps ⌊p⌋ in Int range and drops NaN.
        guard p > -1, p < Float(length) else { return nil }
        let left = p.rounded(.down)
        return (Int(left), p - left)
    }

    private var grain: Int { Swift.max(1, Parallel.defaultGrain / Swift.max(1, points)) }

    func forward(_ signal: Tensor, _ positions: Tensor) -> Tensor {
        let out = Tensor(zeroed: [batch * channels * points], dtype: .float32)
        let px = signal.typedPointer(Float.self), pp = positions.typedPointer(Float.self), po = out.typedPointer(Float.self)
        withExtendedLifetime((signal, positions)) {
            Parallel.forEachChunk(count: batch * channels, grain: grain) { _, range in
                for row in range {
                    let x = px + row * length, locations = pp + (row / channels) * points, dst = po + row * points
                    for i in 0..<points {
                        guard let (left, lambda) = taps(locations[i]) else { continue }
                        let x0 = left >= 0 ? x[left] : 0, x1 = left + 1 < length ? x[left + 1] : 0
                        dst[i] = (1 - lambda) * x0 + lambda * x1
                    }
                }
            }
        }
        return out
    }

    func signalGradient(_ gradOutput: Tensor, _ positions: Tensor) -> Tensor {
        let grad = Tensor(zeroed: [batch * channels * length], dtype: .float32)
        let pg = gradOutput.typedPointer(Float.self), pp = positions.typedPointer(Float.self), pd = grad.typedPointer(Float.self)
        withExtendedLifetime((gradOutput, positions)) {
            Parallel.forEachChunk(count: batch * channels, grain: grain) { _, range in
                for row in range {
                    let g = pg + row * points, locations = pp + (row / channels) * points, dst = pd + row * length
                    for i in 0..<points {
                        guard let (left, lambda) = taps(locations[i]) else { continue }
                        if left >= 0 { dst[left] += (1 - lambda) * g[i] }
                        if left + 1 < length { dst[left + 1] += lambda * g[i] }
                    }
                }
            }
        }
        return grad
    }

    func positionGradient(_ gradOutput: Tensor, _ signal: Tensor, _ positions: Tensor) -> Tensor {
        let grad = Tensor(zeroed: [batch * points], dtype: .float32)
        let pg = gradOutput.typedPointer(Float.self), px = signal.typedPointer(Float.self)
        let pp = positions.typedPointer(Float.self), pd = grad.typedPointer(Float.self)
        withExtendedLifetime((gradOutput, signal, positions)) {
            Parallel.forEachChunk(count: batch * points, grain: Swift.max(1, Parallel.defaultGrain / Swift.max(1, channels))) { _, range in
                for item in range {
                    let b = item / points, i = item % points
                    guard let (left, _) = taps(pp[item]) else { continue }
                    var total: Float = 0
                    for c in 0..<channels {
                        let x = px + (b * channels + c) * length
                        let x0 = left >= 0 ? x[left] : 0, x1 = left + 1 < length ? x[left + 1] : 0
                        total += pg[(b * channels + c) * points + i] * (x1 - x0)
                    }
                    pd[item] = total
                }
            }
        }
        return grad
    }
}
