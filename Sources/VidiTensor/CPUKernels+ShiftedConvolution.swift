import COpenBLAS

/// Stride-1 convolution without im2col: with the input zero-padded to `[C, Dp, Hp, Wp]`, output (od, oh, ow)
/// reads padded element `j + shift(tap)` where `j = (od·Hp + oh)·Wp + ow` and `shift = (kd·dd·Hp + kh·dh)·Wp + kw·dw`.
/// So each kernel tap is one GEMM, `W[:, :, tap] · P[:, shift ..< shift + N]`, on a plain strided view of the
/// padded input, accumulated over taps into a "wide" output of `N` columns whose extra columns (ow ≥ Wo,
/// oh ≥ Ho) are dropped when copying out. This skips writing the k-times larger column matrix. The two
/// gradients are the same GEMMs transposed: `∂P[:, j + shift] += W[:, :, tap]ᵀ · G` and `∂W[tap] += G · P[:, j + shift]ᵀ`.
struct ShiftedLayout {
    /// Wide-output columns per GEMM block, so the accumulated block stays in L2 across the taps.
    static let blockBytes = 256 << 10

    let g: ConvGeometry
    let padded: [Int]
    let planeVolume: Int
    /// Wide columns from the first to the last valid output.
    let wideCount: Int
    let block: Int
    /// Offset of each kernel tap in the padded input.
    let shifts: [Int]

    init(_ g: ConvGeometry) {
        self.g = g
        padded = [0, 1, 2].map { g.input[$0] + 2 * g.padding[$0] }
        planeVolume = padded[0] * padded[1] * padded[2]
        let (hp, wp) = (padded[1], padded[2])
        wideCount = ((g.output[0] - 1) * hp + (g.output[1] - 1)) * wp + g.output[2]
        block = Swift.min(wideCount, Swift.max(wp, Self.blockBytes / (MemoryLayout<Float>.size * Swift.max(g.outChannelsPerGroup, 1))))
        shifts = (0..<g.kernelVolume).map { tap in
            let kw = tap % g.kernel[2], kh = (tap / g.kernel[2]) % g.kernel[1], kd = tap / (g.kernel[2] * g.kernel[1])
            return (kd * g.dilation[0] * hp + kh * g.dilation[1]) * wp + kw * g.dilation[2]
        }
    }

    /// Blocks of wide columns.
    var blocks: [Range<Int>] {
        stride(from: 0, to: wideCount, by: block).map { $0..<Swift.min($0 + block, wideCount) }
    }

    /// Copies `channels` input planes into the interior of the padded buffer (`toPadded`), or the interior back
    /// out (the input gradient). The padded buffer's border is never written.
    func copyInterior(_ volume: UnsafeMutablePointer<Float>, _ paddedBuffer: UnsafeMutablePointer<Float>, channels: Int, toPadded: Bool) {
        let (i0, i1, i2) = (g.input[0], g.input[1], g.input[2])
        Parallel.forEachChunk(count: channels, grain: Swift.max(1, Parallel.defaultGrain / Swift.max(1, g.inputVolume))) { _, range in
            for c in range {
                for d in 0..<i0 {
                    for h in 0..<i1 {
                        let plain = volume + ((c * i0 + d) * i1 + h) * i2
                        let inPadded = paddedBuffer + c * planeVolume + ((d + g.padding[0]) * padded[1] + h + g.padding[1]) * padded[2] + g.padding[2]
                        if toPadded { inPadded.update(from: plain, count: i2) } else { plain.update(from: inPadded, count: i2) }
                    }
                }
            }
        }
    }

    /// Moves values between wide columns `columns` (`rows × columns.count` at `wide`) and the outputs they hold
    /// in `volume` (`rows × Do·Ho·Wo`). `toVolume`: copies out, adding `bias[row]`; otherwise gathers the
    /// outputs into the wide block and zeroes the columns that hold no output.
    func transferValidColumns(_ wide: UnsafeMutablePointer<Float>, columns: Range<Int>, rows: Int, _ volume: UnsafeMutablePointer<Float>,
                              toVolume: Bool, bias: UnsafePointer<Float>?) {
        let (o0, o1, o2) = (g.output[0], g.output[1], g.output[2])
        let (hp, wp) = (padded[1], padded[2])
        let outVolume = g.outputVolume, n = columns.count
        Parallel.forEachChunk(count: rows, grain: Swift.max(1, Parallel.defaultGrain / Swift.max(1, n))) { _, range in
            for row in range {
                let b = bias?[row] ?? 0
                let blockRow = wide + row * n, volumeRow = volume + row * outVolume
                if !toVolume { blockRow.update(repeating: 0, count: n) }
                // Walk the padded lines (od, oh) whose columns intersect this block.
                var column = columns.lowerBound
                while column < columns.upperBound {
                    let line = column / wp, ow = column % wp
                    let od = line / hp, oh = line % hp
                    let lineEnd = Swift.min(columns.upperBound, column - ow + wp)
                    if od < o0, oh < o1, ow < o2 {
                        let count = Swift.min(o2, ow + lineEnd - column) - ow
                        let w = blockRow + (column - columns.lowerBound), v = volumeRow + (od * o1 + oh) * o2 + ow
                        if toVolume {
                            for i in 0..<count { v[i] = w[i] + b }
                        } else {
                            w.update(from: v, count: count)
                        }
                    }
                    column = lineEnd
                }
            }
        }
    }
}

extension CPUKernels {
    /// Scratch buffers of the shifted kernels, freed together. `tapWeights` holds the weights regrouped per
    /// tap: kept with the weight's storage while the weight is unchanged (`weight` given), or a zeroed
    /// accumulator for the weight gradient.
    private struct ShiftedScratch {
        let tapWeights: TensorStorage
        let paddedInput: TensorStorage
        let wide: TensorStorage

        init(_ layout: ShiftedLayout, weight: Tensor?) {
            let g = layout.g, size = MemoryLayout<Float>.size
            tapWeights = weight.map { CPUKernels.weightsPerTap($0, g) } ?? TensorStorage(byteCount: TapWeights.byteCount(g))
            paddedInput = TensorStorage(byteCount: g.inChannelsPerGroup * layout.planeVolume * size)
            wide = TensorStorage(uninitializedByteCount: g.outChannelsPerGroup * layout.block * size)
        }
    }

    static func shiftedConvolution(_ x: Tensor, weight: Tensor, bias: Tensor?, _ g: ConvGeometry) -> Tensor {
        BLAS.prepare()
        let layout = ShiftedLayout(g), scratch = ShiftedScratch(layout, weight: weight)
        let out = Tensor(uninitialized: g.outputShape, dtype: .float32)
        let (cig, cog, taps) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.kernelVolume)
        let px = x.typedPointer(Float.self), po = out.typedPointer(Float.self), pb = bias?.typedPointer(Float.self)
        let pt = scratch.tapWeights.pointer(as: Float.self), pp = scratch.paddedInput.pointer(as: Float.self)
        let pc = scratch.wide.pointer(as: Float.self)
        withExtendedLifetime((x, weight, bias, scratch.tapWeights, scratch.paddedInput, scratch.wide)) {
            for image in 0..<g.batch {
                for group in 0..<g.groups {
                    layout.copyInterior(px + (image * g.inChannels + group * cig) * g.inputVolume, pp, channels: cig, toPadded: true)
                    let destination = po + (image * g.outChannels + group * cog) * g.outputVolume
                    for columns in layout.blocks {
                        for tap in 0..<taps {
                            sgemm(CblasNoTrans, CblasNoTrans, Int32(cog), Int32(columns.count), Int32(cig),
                                        1, pt + (group * taps + tap) * cog * cig, Int32(cig),
                                        pp + columns.lowerBound + layout.shifts[tap], Int32(layout.planeVolume),
                                        tap == 0 ? 0 : 1, pc, Int32(columns.count))
                        }
                        layout.transferValidColumns(pc, columns: columns, rows: cog, destination, toVolume: true,
                                                    bias: pb.map { $0 + group * cog })
                    }
                }
            }
        }
        return out
    }

    /// Input gradient of a stride-1 convolution: the shifted GEMMs transposed, accumulated in the padded layout.
    static func shiftedConvolutionInputGradient(_ gradOutput: Tensor, weight: Tensor, _ g: ConvGeometry) -> Tensor {
        BLAS.prepare()
        let layout = ShiftedLayout(g), scratch = ShiftedScratch(layout, weight: weight)
        let gradInput = Tensor(uninitialized: g.inputShape, dtype: .float32)
        let (cig, cog, taps) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.kernelVolume)
        let pg = gradOutput.typedPointer(Float.self), pi = gradInput.typedPointer(Float.self)
        let pt = scratch.tapWeights.pointer(as: Float.self), pp = scratch.paddedInput.pointer(as: Float.self)
        let pc = scratch.wide.pointer(as: Float.self)
        withExtendedLifetime((gradOutput, weight, scratch.tapWeights, scratch.paddedInput, scratch.wide)) {
            for image in 0..<g.batch {
                for group in 0..<g.groups {
                    pp.update(repeating: 0, count: cig * layout.planeVolume)
                    let source = pg + (image * g.outChannels + group * cog) * g.outputVolume
                    for columns in layout.blocks {
                        layout.transferValidColumns(pc, columns: columns, rows: cog, UnsafeMutablePointer(mutating: source),
                                                    toVolume: false, bias: nil)
                        for tap in 0..<taps {
                            sgemm(CblasTrans, CblasNoTrans, Int32(cig), Int32(columns.count), Int32(cog),
                                        1, pt + (group * taps + tap) * cog * cig, Int32(cig), pc, Int32(columns.count),
                                        1, pp + columns.lowerBound + layout.shifts[tap], Int32(layout.planeVolume))
                        }
                    }
                    layout.copyInterior(pi + (image * g.inChannels + group * cig) * g.inputVolume, pp, channels: cig, toPadded: false)
                }
            }
        }
        return gradInput
    }

    /// Weight gradient of a stride-1 convolution: `∂W[tap] = Σ G · P[:, j + shift]ᵀ` over images and blocks.
    static func shiftedConvolutionWeightGradient(_ x: Tensor, gradOutput: Tensor, _ g: ConvGeometry) -> Tensor {
        BLAS.prepare()
        let layout = ShiftedLayout(g), scratch = ShiftedScratch(layout, weight: nil)
        let gradWeight = Tensor(uninitialized: g.weightShape, dtype: .float32)
        let (cig, cog, taps) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.kernelVolume)
        let px = x.typedPointer(Float.self), pg = gradOutput.typedPointer(Float.self)
        let pt = scratch.tapWeights.pointer(as: Float.self), pp = scratch.paddedInput.pointer(as: Float.self)
        let pc = scratch.wide.pointer(as: Float.self)
        withExtendedLifetime((x, gradOutput, scratch.tapWeights, scratch.paddedInput, scratch.wide)) {
            // tapWeights starts zeroed and accumulates ∂W per tap.
            for image in 0..<g.batch {
                for group in 0..<g.groups {
                    layout.copyInterior(UnsafeMutablePointer(mutating: px + (image * g.inChannels + group * cig) * g.inputVolume), pp,
                                        channels: cig, toPadded: true)
                    let source = pg + (image * g.outChannels + group * cog) * g.outputVolume
                    for columns in layout.blocks {
                        layout.transferValidColumns(pc, columns: columns, rows: cog, UnsafeMutablePointer(mutating: source),
                                                    toVolume: false, bias: nil)
                        for tap in 0..<taps {
                            sgemm(CblasNoTrans, CblasTrans, Int32(cog), Int32(cig), Int32(columns.count),
                                        1, pc, Int32(columns.count), pp + columns.lowerBound + layout.shifts[tap], Int32(layout.planeVolume),
                                        1, pt + (group * taps + tap) * cog * cig, Int32(cig))
                        }
                    }
                }
            }
            TapWeights.regroup(pt, into: gradWeight.typedPointer(Float.self), g, toTaps: false)
        }
        return gradWeight
    }
}
