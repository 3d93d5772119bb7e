/// im2col / col2im for three spatial axes: the column matrix of one image's channel group has one row per
/// (channel, kernel tap) and one column per output position, so a convolution is one GEMM with the weight.
/// Kernels work on a block of output lines (one line = the outputs along the innermost axis at fixed
/// (od, oh); line index `od · O_h + oh`), so a block's columns can stay in cache for the GEMM that reads them.
extension CPUKernels {
    /// Output positions `lo..<hi` along the innermost axis whose input index `o * stride + offset` lies in `0..<size`.
    @inline(__always)
    static func validRange(offset: Int, stride: Int, size: Int, outputs: Int) -> (lo: Int, hi: Int) {
        let lo = offset < 0 ? Swift.min(outputs, (-offset + stride - 1) / stride) : 0
        let last = size - 1 - offset
        let hi = last < 0 ? 0 : Swift.min(outputs, last / stride + 1)
        return (lo, Swift.max(lo, hi))
    }

    /// Calls `body(column, input, lo, hi)` for each output line in `lines` of one column-matrix row (channel `c`,
    /// kernel tap `tap`): `column` is the line's offset in the block row, `input` the offset of the input element
    /// that output position 0 of the line would read (nil when the line lies in padding), and `lo..<hi` the
    /// positions that read inside the input line (at `input + o · stride`). Lines are walked incrementally: no
    /// division per line.
    @inline(__always)
    private static func forEachColumnLine(_ g: ConvGeometry, lines: Range<Int>, channel c: Int, tap: Int,
                                          _ body: (_ column: Int, _ input: Int?, _ lo: Int, _ hi: Int) -> Void) {
        let k1 = g.kernel[1], k2 = g.kernel[2]
        let kw = tap % k2, kh = (tap / k2) % k1, kd = tap / (k2 * k1)
        let (i0, i1, i2) = (g.input[0], g.input[1], g.input[2])
        let (o1, o2) = (g.output[1], g.output[2])
        let (s0, s1) = (g.stride[0], g.stride[1])
        let w0 = kw * g.dilation[2] - g.padding[2]
        let (lo, hi) = validRange(offset: w0, stride: g.stride[2], size: i2, outputs: o2)
        let plane = c * i0 * i1 * i2 + w0
        var od = lines.lowerBound / o1, oh = lines.lowerBound % o1
        var id = od * s0 - g.padding[0] + kd * g.dilation[0]
        var ih = oh * s1 - g.padding[1] + kh * g.dilation[1]
        let ihFirst = -g.padding[1] + kh * g.dilation[1]
        var column = 0
        for _ in lines {
            if id < 0 || id >= i0 || ih < 0 || ih >= i1 {
                body(column, nil, lo, hi)
            } else {
                body(column, plane + (id * i1 + ih) * i2, lo, hi)
            }
            column += o2
            oh += 1
            ih += s1
            if oh == o1 {
                oh = 0
                ih = ihFirst
                od += 1
                id += s0
            }
        }
    }

    /// Fills `columns` (`columnRows × lines.count · O_w`) with the block `lines` of one image's channel group at
    /// `source` (`inChannelsPerGroup × inputVolume`). Rows are filled in parallel; padding becomes zeros.
    static func volumeToColumns(_ source: UnsafePointer<Float>, _ g: ConvGeometry, lines: Range<Int>, into columns: UnsafeMutablePointer<Float>) {
        let rows = g.columnRows, width = lines.count * g.output[2], taps = g.kernelVolume
        let sw = g.stride[2], o2 = g.output[2]
        Parallel.forEachChunk(count: rows, grain: Swift.max(1, Parallel.defaultGrain / Swift.max(width, 1))) { _, range in
            for row in range {
                let base = columns + row * width
                forEachColumnLine(g, lines: lines, channel: row / taps, tap: row % taps) { column, input, lo, hi in
                    let out = base + column
                    guard let input else {
                        out.update(repeating: 0, count: o2)
                        return
                    }
                    for o in 0..<lo { out[o] = 0 }
                    // Pointers start at the first in-bounds tap (never before the buffer).
                    let src = source + (input + lo * sw), dst = out + lo
                    if sw == 1 {
                        for j in 0..<(hi - lo) { dst[j] = src[j] }
                    } else {
                        for j in 0..<(hi - lo) { dst[j] = src[j * sw] }
                    }
                    for o in hi..<o2 { out[o] = 0 }
                }
            }
        }
    }

    /// Adds `columns` (the block `lines`, laid out as `volumeToColumns` makes it) back into one image's channel
    /// group at `destination`. Channels run in parallel; each channel's taps are added in a fixed order, so sums
    /// are deterministic.
    static func addColumnsToVolume(_ columns: UnsafePointer<Float>, _ g: ConvGeometry, lines: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        let width = lines.count * g.output[2], taps = g.kernelVolume, sw = g.stride[2]
        let grain = Swift.max(1, Parallel.defaultGrain / Swift.max(width * taps, 1))
        Parallel.forEachChunk(count: g.inChannelsPerGroup, grain: grain) { _, range in
            for channel in range {
                for tap in 0..<taps {
                    let base = columns + (channel * taps + tap) * width
                    forEachColumnLine(g, lines: lines, channel: channel, tap: tap) { column, input, lo, hi in
                        guard let input, hi > lo else { return }
                        let src = base + column + lo, dst = destination + (input + lo * sw)
                        if sw == 1 {
                            for j in 0..<(hi - lo) { dst[j] += src[j] }
                        } else {
                            for j in 0..<(hi - lo) { dst[j * sw] += src[j] }
                        }
                    }
                }
            }
        }
    }
}
