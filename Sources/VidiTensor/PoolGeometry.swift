/// The windows of a pooling operation along one spatial axis: for output index `o`, the input indices
/// `first[o] + j * step` for `j < count[o]` lie inside the input; `padded[o]` also counts the taps that fall
/// into padding (the average-pool divisor with `countIncludePad`).
struct PoolAxis: Sendable {
    var first: [Int]
    var count: [Int]
    var padded: [Int]
    var step: Int

    var outputs: Int { first.count }

    /// The unit axis that 1-D and 2-D pools are lifted with.
    static let unit = PoolAxis(first: [0], count: [1], padded: [1], step: 1)

    /// Output size of a strided pool along one axis (PyTorch's `pooling_output_shape`), or nil when empty.
    static func outputSize(input: Int, kernel: Int, stride: Int, padding: Int, dilation: Int, ceilMode: Bool) -> Int? {
        let span = input + 2 * padding - dilation * (kernel - 1) - 1
        guard span >= 0 else { return nil }
        var size = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
        // With ceil mode the last window must start inside the input or its left padding.
        if ceilMode, (size - 1) * stride >= input + padding { size -= 1 }
        return size >= 1 ? size : nil
    }

    /// Windows of a strided pool (max or average) of `kernel` taps `dilation` apart.
    static func strided(input: Int, output: Int, kernel: Int, stride: Int, padding: Int, dilation: Int) -> PoolAxis {
        var axis = PoolAxis(first: [], count: [], padded: [], step: dilation)
        for o in 0..<output {
            let start = o * stride - padding
            let lo = start < 0 ? (-start + dilation - 1) / dilation : 0
            let hi = input - 1 - start < 0 ? 0 : Swift.min(kernel, (input - 1 - start) / dilation + 1)
            axis.first.append(start + lo * dilation)
            axis.count.append(Swift.max(0, hi - lo))
            // PyTorch's average pools count padding up to `input + padding`, not beyond (ceil mode).
            axis.padded.append(Swift.min(start + kernel, input + padding) - start)
        }
        return axis
    }

    /// Windows of an adaptive pool: `[⌊o·in/out⌋, ⌈(o+1)·in/out⌉)`.
    static func adaptive(input: Int, output: Int) -> PoolAxis {
        var axis = PoolAxis(first: [], count: [], padded: [], step: 1)
        for o in 0..<output {
            let start = (o * input) / output
            let end = ((o + 1) * input + output - 1) / output
            axis.first.append(start)
            axis.count.append(end - start)
            axis.padded.append(end - start)
        }
        return axis
    }
}

/// A pooling operation over `planes` independent planes of three spatial axes (lifted like `SpatialArguments`).
struct PoolGeometry: Sendable {
    let planes: Int
    let input: [Int]
    let axes: [PoolAxis]

    var inputVolume: Int { input[0] * input[1] * input[2] }
    var output: [Int] { axes.map(\.outputs) }
    var outputVolume: Int { axes[0].outputs * axes[1].outputs * axes[2].outputs }

    /// Every output position's in-bounds taps as flat in-plane input indices: output `o` reads
    /// `taps[offsets[o]..<offsets[o + 1]]`. The same for every plane, so kernels compute it once.
    func windows() -> (offsets: [Int], taps: [Int32]) {
        let (a, b, c) = (axes[0], axes[1], axes[2])
        var offsets = [0], taps: [Int32] = []
        offsets.reserveCapacity(outputVolume + 1)
        for od in 0..<a.outputs {
            for oh in 0..<b.outputs {
                for ow in 0..<c.outputs {
                    for i in 0..<a.count[od] {
                        let id = a.first[od] + i * a.step
                        for j in 0..<b.count[oh] {
                            let row = (id * input[1] + b.first[oh] + j * b.step) * input[2]
                            for k in 0..<c.count[ow] { taps.append(Int32(row + c.first[ow] + k * c.step)) }
                        }
                    }
                    offsets.append(taps.count)
                }
            }
        }
        return (offsets, taps)
    }

    /// The divisor of each output position of an average pool.
    func averageDivisors(countIncludePad: Bool) -> [Float] {
        let (a, b, c) = (axes[0], axes[1], axes[2])
        var divisors: [Float] = []
        divisors.reserveCapacity(outputVolume)
        for od in 0..<a.outputs {
            for oh in 0..<b.outputs {
                for ow in 0..<c.outputs {
                    let n = countIncludePad ? a.padded[od] * b.padded[oh] * c.padded[ow] : a.count[od] * b.count[oh] * c.count[ow]
                    divisors.append(Float(Swift.max(n, 1)))
                }
            }
        }
        return divisors
    }
}
