import Foundation

/// Softmax and log-softmax along one axis, computed stably around each row's maximum.
extension Tensor {
    /// `exp(x - max) / Σ exp(x - max)` along `axis`.
    public func softmax(axis: Int) throws -> Tensor {
        try softmaxFamily(axis: axis, log: false)
    }

    /// `x - max - log Σ exp(x - max)` along `axis` (no overflow for large inputs, exact for very negative ones).
    public func logSoftmax(axis: Int) throws -> Tensor {
        try softmaxFamily(axis: axis, log: true)
    }

    private func softmaxFamily(axis: Int, log: Bool) throws -> Tensor {
        let op = log ? "logSoftmax" : "softmax"
        try requireFloat(op)
        let ax = try Shape.normalizeAxis(axis, rank: Swift.max(rank, 1), op: op)
        if rank == 0 { return try reshaped([1]).softmaxFamily(axis: 0, log: log).reshaped([]) }
        // Rows along the last axis: move `axis` last, compute, move it back.
        var order = Array(0..<rank)
        order.remove(at: ax)
        order.append(ax)
        let rows = try detached().permuted(order).contiguousData()
        var inverse = [Int](repeating: 0, count: rank)
        for (i, a) in order.enumerated() { inverse[a] = i }
        let out = try CPUKernels.softmaxRows(rows, length: shape[ax], log: log).permuted(inverse)
        return Autograd.record(out, op: op, inputs: [self]) { g in
            if log {
                // d/dx log softmax: g - softmax · Σ g
                return [try g - out.exp() * g.sum(axis: ax, keepDims: true)]
            }
            // d/dx softmax: y · (g - Σ g·y)
            return [try out * (g - (g * out).sum(axis: ax, keepDims: true))]
        }
    }
}

extension CPUKernels {
    /// Softmax (or log-softmax) of each contiguous row of `length` elements.
    static func softmaxRows(_ x: Tensor, length: Int, log: Bool) -> Tensor {
        let out = Tensor(zeroed: x.shape, dtype: .float32)
        let rows = length == 0 ? 0 : x.elementCount / length
        let px = x.typedPointer(Float.self), po = out.typedPointer(Float.self)
        withExtendedLifetime(x) {
            Parallel.forEachChunk(count: rows, grain: Swift.max(1, Parallel.defaultGrain / Swift.max(length, 1))) { _, range in
                for row in range {
                    let src = px + row * length, dst = po + row * length
                    var peak = -Float.infinity
                    for i in 0..<length { peak = Swift.max(peak, src[i]) }
                    let shift = peak  // an all -inf row gives NaN, as in PyTorch
                    CPUKernels.expShifted(src, shift: shift, into: dst, count: length)
                    var total: Float = 0
                    for i in 0..<length { total += dst[i] }
                    if log {
                        // Subtract the shift first: x - peak is exact for nearby values even when both are huge.
                        let logTotal = Foundation.log(total)
                        for i in 0..<length { dst[i] = (src[i] - shift) - logTotal }
                    } else {
                        let scale = 1 / total
                        for i in 0..<length { dst[i] *= scale }
                    }
                }
            }
        }
        return out
    }
}
