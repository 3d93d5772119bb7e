import COpenBLAS

/// Stride-1 convolution without im2col: with the input zero-padded to `[C, Dp, Hp, Wp]`, output (od, oh, ow)
/// reads padded element `j + shift(tap)` where `j = (od·Hp + oh)·Wp + ow` and `shift = (kd·dd·Hp + kh·dh)·Wp + kw·dw`.
/// So each kernel tap is one GEMM, `W[:, :, tap] · P[:, shift ..< shift + N]`, on a plain strided view of the
/// padded input, accumulated over taps into a "wide" output of `N` columns whose extra columns (ow ≥ Wo,
/// oh ≥ Ho) are dropped when copying out. This skips writing the k-times larger column matrix.
extension CPUKernels {
    /// Wide-output columns per GEMM block, so the accumulated block stays in L2 across the taps.
    private static let shiftedBlockBytes = 256 << 10

    static func shiftedConvolution(_ x: Tensor, weight: Tensor, bias: Tensor?, _ g: ConvGeometry) -> Tensor {
        BLAS.prepare()
        let out = Tensor(uninitialized: g.outputShape, dtype: .float32)
        let (cig, cog, taps) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.kernelVolume)
        let padded = [0, 1, 2].map { g.input[$0] + 2 * g.padding[$0] }
        let (hp, wp) = (padded[1], padded[2])
        let planeVolume = padded[0] * hp * wp
        let (o0, o1, o2) = (g.output[0], g.output[1], g.output[2])
        // Wide columns from the first to the last valid output.
        let wideCount = ((o0 - 1) * hp + (o1 - 1)) * wp + o2
        let block = Swift.min(wideCount, Swift.max(wp, shiftedBlockBytes / (MemoryLayout<Float>.size * Swift.max(cog, 1))))
        // Per-tap weights `[groups, taps, cog, cig]`, each a row-major matrix for SGEMM.
        let tapWeights = TensorStorage(uninitializedByteCount: g.groups * taps * cog * cig * MemoryLayout<Float>.size)
        let paddedInput = TensorStorage(byteCount: cig * planeVolume * MemoryLayout<Float>.size)
        let wide = TensorStorage(uninitializedByteCount: cog * block * MemoryLayout<Float>.size)
        let px = x.typedPointer(Float.self), pw = weight.typedPointer(Float.self), po = out.typedPointer(Float.self)
        let pt = tapWeights.pointer(as: Float.self), pp = paddedInput.pointer(as: Float.self), pc = wide.pointer(as: Float.self)
        let pb = bias?.typedPointer(Float.self)
        let shifts = (0..<taps).map { tap -> Int in
            let kw = tap % g.kernel[2], kh = (tap / g.kernel[2]) % g.kernel[1], kd = tap / (g.kernel[2] * g.kernel[1])
            return (kd * g.dilation[0] * hp + kh * g.dilation[1]) * wp + kw * g.dilation[2]
        }
        withExtendedLifetime((x, weight, bias, tapWeights, paddedInput, wide)) {
            for group in 0..<g.groups {
                for co in 0..<cog {
                    for ci in 0..<cig {
                        let src = pw + ((group * cog + co) * cig + ci) * taps
                        for tap in 0..<taps { pt[((group * taps + tap) * cog + co) * cig + ci] = src[tap] }
                    }
                }
            }
            for image in 0..<g.batch {
                for group in 0..<g.groups {
                    // Copy the group's channels into the interior of the zeroed padded buffer (borders stay 0).
                    let source = px + (image * g.inChannels + group * cig) * g.inputVolume
                    Parallel.forEachChunk(count: cig, grain: Swift.max(1, Parallel.defaultGrain / Swift.max(1, g.inputVolume))) { _, range in
                        for c in range {
                            for d in 0..<g.input[0] {
                                for h in 0..<g.input[1] {
                                    let from = source + ((c * g.input[0] + d) * g.input[1] + h) * g.input[2]
                                    let to = pp + c * planeVolume + ((d + g.padding[0]) * hp + h + g.padding[1]) * wp + g.padding[2]
                                    to.update(from: from, count: g.input[2])
                                }
                            }
                        }
                    }
                    let destination = po + (image * g.outChannels + group * cog) * g.outputVolume
                    for start in stride(from: 0, to: wideCount, by: block) {
                        let n = Swift.min(block, wideCount - start)
                        for tap in 0..<taps {
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(cog), Int32(n), Int32(cig),
                                        1, pt + (group * taps + tap) * cog * cig, Int32(cig),
                                        pp + start + shifts[tap], Int32(planeVolume), tap == 0 ? 0 : 1, pc, Int32(n))
                        }
                        copyValidColumns(from: pc, columns: start..<(start + n), rows: cog, output: (o0, o1, o2), wide: (hp, wp),
                                         into: destination, bias: pb.map { $0 + group * cog })
                    }
                }
            }
        }
        return out
    }

    /// Copies the valid outputs among wide columns `columns` (`rows × columns.count`, row-major at `wide`) to
    /// their places in `destination` (`rows × Do·Ho·Wo`), adding `bias[row]` when given.
    private static func copyValidColumns(from wide: UnsafePointer<Float>, columns: Range<Int>, rows: Int,
                                         output: (Int, Int, Int), wide size: (hp: Int, wp: Int),
                                         into destination: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?) {
        let (o0, o1, o2) = output
        let volume = o0 * o1 * o2, n = columns.count
        Parallel.forEachChunk(count: rows, grain: Swift.max(1, Parallel.defaultGrain / Swift.max(1, n))) { _, range in
            for row in range {
                let b = bias?[row] ?? 0
                let src = wide + row * n, dst = destination + row * volume
                // Walk the output lines (od, oh) whose columns intersect this block.
                var column = columns.lowerBound
                while column < columns.upperBound {
                    let line = column / size.wp, ow = column % size.wp
                    let od = line / size.hp, oh = line % size.hp
                    let lineEnd = Swift.min(columns.upperBound, column - ow + size.wp)
                    if od < o0, oh < o1, ow < o2 {
                        let count = Swift.min(o2, lineEnd - column + ow) - ow
                        let from = src + (column - columns.lowerBound), to = dst + (od * o1 + oh) * o2 + ow
                        for i in 0..<count { to[i] = from[i] + b }
                    }
                    column = lineEnd
                }
            }
        }
    }
}
