/// im2col / col2im for three spatial axes: the column matrix of one image's channel group has one row per
/// (channel, kernel tap) and one column per output position, so a convolution is one GEMM with the weight.
extension CPUKernels {
    /// Output positions `lo..<hi` along the innermost axis whose input index `o * stride + offset` lies in `0..<size`.
    @inline(__always)
    static func validRange(offset: Int, stride: Int, size: Int, outputs: Int) -> (lo: Int, hi: Int) {
        let lo = offset < 0 ? Swift.min(outputs, (-offset + stride - 1) / stride) : 0
        let last = size - 1 - offset
        let hi = last < 0 ? 0 : Swift.min(outputs, last / stride + 1)
        return (lo, Swift.max(lo, hi))
    }

    /// Calls `body(columnOffset, inputOffset, lo, hi, inputStart)` for every (od, oh) line of one column-matrix
    /// row (channel `c`, kernel tap `tap`): `inputOffset` is the input line's offset (nil when the line lies in
    /// padding), `lo..<hi` the output positions that read inside it, at input index `o * stride + inputStart`.
    @inline(__always)
    private static func forEachColumnLine(_ g: ConvGeometry, channel c: Int, tap: Int,
                                          _ body: (_ columnOffset: Int, _ inputOffset: Int?, _ lo: Int, _ hi: Int, _ inputStart: Int) -> Void) {
        let k1 = g.kernel[1], k2 = g.kernel[2]
        let kw = tap % k2, kh = (tap / k2) % k1, kd = tap / (k2 * k1)
        let (i0, i1, i2) = (g.input[0], g.input[1], g.input[2])
        let (o0, o1, o2) = (g.output[0], g.output[1], g.output[2])
        let w0 = kw * g.dilation[2] - g.padding[2]
        let (lo, hi) = validRange(offset: w0, stride: g.stride[2], size: i2, outputs: o2)
        for od in 0..<o0 {
            let id = od * g.stride[0] - g.padding[0] + kd * g.dilation[0]
            for oh in 0..<o1 {
                let ih = oh * g.stride[1] - g.padding[1] + kh * g.dilation[1]
                let column = (od * o1 + oh) * o2
                if id < 0 || id >= i0 || ih < 0 || ih >= i1 {
                    body(column, nil, lo, hi, w0)
                } else {
                    body(column, ((c * i0 + id) * i1 + ih) * i2, lo, hi, w0)
                }
            }
        }
    }

    /// Fills `columns` (`columnRows × outputVolume`) from one image's channel group at `source`
    /// (`inChannelsPerGroup × inputVolume`). Rows are filled in parallel; padding becomes zeros.
    static func volumeToColumns(_ source: UnsafePointer<Float>, _ g: ConvGeometry, into columns: UnsafeMutablePointer<Float>) {
        let rows = g.columnRows, width = g.outputVolume, taps = g.kernelVolume
        let sw = g.stride[2], o2 = g.output[2]
        Parallel.forEachChunk(count: rows, grain: Swift.max(1, Parallel.defaultGrain / Swift.max(width, 1))) { _, range in
            for row in range {
                let base = columns + row * width
                forEachColumnLine(g, channel: row / taps, tap: row % taps) { column, input, lo, hi, start in
                    let out = base + column
                    guard let input else {
                        out.update(repeating: 0, count: o2)
                        return
                    }
                    if lo > 0 { out.update(repeating: 0, count: lo) }
                    let src = source + input + start
                    if sw == 1 {
                        (out + lo).update(from: src + lo, count: hi - lo)
                    } else {
                        for o in lo..<hi { out[o] = src[o * sw] }
                    }
                    if hi < o2 { (out + hi).update(repeating: 0, count: o2 - hi) }
                }
            }
        }
    }

    /// Adds `columns` (as made by `volumeToColumns`) back into one image's channel group at `destination`.
    /// Channels run in parallel; each channel's taps are added in a fixed order, so sums are deterministic.
    static func addColumnsToVolume(_ columns: UnsafePointer<Float>, _ g: ConvGeometry, into destination: UnsafeMutablePointer<Float>) {
        let width = g.outputVolume, taps = g.kernelVolume, sw = g.stride[2]
        let grain = Swift.max(1, Parallel.defaultGrain / Swift.max(width * taps, 1))
        Parallel.forEachChunk(count: g.inChannelsPerGroup, grain: grain) { _, range in
            for channel in range {
                for tap in 0..<taps {
                    let base = columns + (channel * taps + tap) * width
                    forEachColumnLine(g, channel: channel, tap: tap) { column, input, lo, hi, start in
                        guard let input, hi > lo else { return }
                        let src = base + column
                        let dst = destination + input + start
                        if sw == 1 {
                            for o in lo..<hi { dst[o] += src[o] }
                        } else {
                            for o in lo..<hi { dst[o * sw] += src[o] }
                        }
                    }
                }
            }
        }
    }
}
