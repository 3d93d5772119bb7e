import COpenBLAS

/// Convolutions along depth only — kernel `k×1×1`, stride 1, no padding in height or width: R(2+1)D's
/// temporal 3×1×1 convolutions — as GEMMs on the tensors themselves. With each channel's `[D, H, W]`
/// volume read as one row, output column `j` of tap `t` reads input column `j + shift(t)`, `shift(t) =
/// (t·dilation − padding)·H·W`, and only the output planes whose input plane lies inside the input get a
/// term from that tap (the others would read padding, i.e. zeros). So each tap is one GEMM over a column range,
/// `Y[:, cols] += W_t · X[:, cols + shift]`, with the whole volumes' leading dimensions: no zeroed padded copy
/// of the input and no wide buffer copied out, the two extra passes over the activations the shifted path
/// makes (`ShiftedLayout`). The gradients are the same GEMMs transposed:
/// `∂X[:, cols + shift] += W_tᵀ · ∂Y[:, cols]` and `∂W_t += ∂Y[:, cols] · X[:, cols + shift]ᵀ`.
struct TemporalLayout {
    let g: ConvGeometry
    /// Output columns each tap contributes to (whole planes of `H·W` columns).
    let outputColumns: [Range<Int>]
    /// Input column minus output column, per tap.
    let shifts: [Int]

    init(_ g: ConvGeometry) {
        self.g = g
        let plane = g.output[1] * g.output[2]
        let (depth, padding, dilation, outDepth) = (g.input[0], g.padding[0], g.dilation[0], g.output[0])
        outputColumns = (0..<g.kernel[0]).map { tap in
            let offset = tap * dilation - padding
            let first = Swift.max(0, -offset), end = Swift.max(first, Swift.min(outDepth, depth - offset))
            return first * plane..<end * plane
        }
        shifts = (0..<g.kernel[0]).map { tap in (tap * dilation - padding) * plane }
    }

    /// Input columns each tap contributes to in the input gradient.
    var inputColumns: [Range<Int>] {
        zip(outputColumns, shifts).map { columns, shift in columns.lowerBound + shift..<columns.upperBound + shift }
    }

    /// Whether `g` convolves along depth only (see the type's comment); pointwise ones keep the plain GEMM path.
    static func fits(_ g: ConvGeometry) -> Bool {
        g.kernel[1] == 1 && g.kernel[2] == 1 && g.stride == [1, 1, 1] && g.padding[1] == 0 && g.padding[2] == 0
            && !g.isPointwise && g.inChannelsPerGroup > 0 && g.outChannelsPerGroup > 0
    }
}

extension CPUKernels {
    static func usesTemporalKernels(_ g: ConvGeometry) -> Bool { TemporalLayout.fits(g) }

    /// `C[:, c] = Σ_t op(A_t) · B[:, c + offsets[t]]` over the taps `t` whose `covered[t]` holds column `c` (zero
    /// where no tap does), for `columns` columns of `C` (`rows` rows), in blocks that stay in L2 across the
    /// taps; taps are summed in order. `A_t` is `rows × inner` (or its transpose) at `a + t · tapStride`.
    private static func sumTapProducts(rows: Int, columns: Int, inner: Int, transA: CBLAS_TRANSPOSE,
                                       a: UnsafePointer<Float>, tapStride: Int, lda: Int,
                                       b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                                       covered: [Range<Int>], offsets: [Int]) {
        let block = Swift.min(columns, Swift.max(1, ShiftedLayout.blockBytes / (MemoryLayout<Float>.size * rows)))
        // Blocks write disjoint columns of C: one chunk each, taps summed in order inside it, each GEMM tiled
        // as before (a single block still splits its GEMMs). Most per-block GEMMs are too small to tile (1548
        // of them, 231 ms, ran on one core in an R(2+1)D-18 batch-1 train step).
        Parallel.forEachChunk(count: (columns + block - 1) / block, grain: 1) { blockIndex, _ in
            let start = blockIndex * block
            let blockColumns = start..<Swift.min(start + block, columns)
            // The first tap's GEMM overwrites the block when it covers all of it; otherwise start from zeros.
            var overwrite = covered.first { $0.overlaps(blockColumns) }.map { $0.clamped(to: blockColumns) == blockColumns } ?? false
            if !overwrite {
                for row in 0..<rows { (c + row * ldc + start).update(repeating: 0, count: blockColumns.count) }
            }
            for (tap, range) in covered.enumerated() {
                let span = range.clamped(to: blockColumns)
                guard !span.isEmpty else { continue }
                sgemm(transA, CblasNoTrans, Int32(rows), Int32(span.count), Int32(inner),
                      1, a + tap * tapStride, Int32(lda), b + span.lowerBound + offsets[tap], Int32(ldb),
                      overwrite ? 0 : 1, c + span.lowerBound, Int32(ldc))
                overwrite = false
            }
        }
    }

    static func temporalConvolution(_ x: Tensor, weight: Tensor, bias: Tensor?, _ g: ConvGeometry) -> Tensor {
        BLAS.prepare()
        let layout = TemporalLayout(g), tapWeights = weightsPerTap(weight, g)
        let out = Tensor(uninitialized: g.outputShape, dtype: .float32)
        let (cig, cog, taps) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.kernelVolume)
        let (px, po, pt) = (x.typedPointer(Float.self), out.typedPointer(Float.self), tapWeights.pointer(as: Float.self))
        withExtendedLifetime((x, weight, tapWeights)) {
            for image in 0..<g.batch {
                for group in 0..<g.groups {
                    let destination = po + (image * g.outChannels + group * cog) * g.outputVolume
                    sumTapProducts(rows: cog, columns: g.outputVolume, inner: cig, transA: CblasNoTrans,
                                   a: pt + group * taps * cog * cig, tapStride: cog * cig, lda: cig,
                                   b: px + (image * g.inChannels + group * cig) * g.inputVolume, ldb: g.inputVolume,
                                   c: destination, ldc: g.outputVolume, covered: layout.outputColumns, offsets: layout.shifts)
                }
            }
        }
        if let bias { addChannelBias(bias, to: out, channels: g.outChannels, volume: g.outputVolume) }
        return out
    }

    static func temporalConvolutionInputGradient(_ gradOutput: Tensor, weight: Tensor, _ g: ConvGeometry) -> Tensor {
        BLAS.prepare()
        let layout = TemporalLayout(g), tapWeights = weightsPerTap(weight, g)
        let gradInput = Tensor(uninitialized: g.inputShape, dtype: .float32)
        let (cig, cog, taps) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.kernelVolume)
        let (pg, pi, pt) = (gradOutput.typedPointer(Float.self), gradInput.typedPointer(Float.self), tapWeights.pointer(as: Float.self))
        let (covered, offsets) = (layout.inputColumns, layout.shifts.map { -$0 })
        withExtendedLifetime((gradOutput, weight, tapWeights)) {
            for image in 0..<g.batch {
                for group in 0..<g.groups {
                    sumTapProducts(rows: cig, columns: g.inputVolume, inner: cog, transA: CblasTrans,
                                   a: pt + group * taps * cog * cig, tapStride: cog * cig, lda: cig,
                                   b: pg + (image * g.outChannels + group * cog) * g.outputVolume, ldb: g.outputVolume,
                                   c: pi + (image * g.inChannels + group * cig) * g.inputVolume, ldc: g.inputVolume,
                                   covered: covered, offsets: offsets)
                }
            }
        }
        return gradInput
    }

    /// `∂W_t = Σ_images ∂Y[:, cols] · X[:, cols + shift]ᵀ`, one GEMM per image and tap over all its columns.
    /// These GEMMs are small (C_out × C_in) over a long sum (every column), which `sgemm` cannot split (it never
    /// cuts the summed axis), so one ran serially per tap: 210 ms of a 4.5 CPU-s R(2+1)D-18 batch-1 train step
    /// with the second core idle. Instead each (group, tap, block of output-channel rows) is a chunk of its own,
    /// summing its images in order: the same sums in the same order, on every core.
    static func temporalConvolutionWeightGradient(_ x: Tensor, gradOutput: Tensor, _ g: ConvGeometry) -> Tensor {
        BLAS.prepare()
        let layout = TemporalLayout(g)
        let perTap = TensorStorage(byteCount: TapWeights.byteCount(g))  // zeroed: the GEMMs accumulate
        let gradWeight = Tensor(uninitialized: g.weightShape, dtype: .float32)
        let (cig, cog, taps) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.kernelVolume)
        let (px, pg, pt) = (x.typedPointer(Float.self), gradOutput.typedPointer(Float.self), perTap.pointer(as: Float.self))
        // Row blocks of at least 32 output channels, at most 4 per tap: enough chunks to balance two cores.
        let parts = Swift.max(1, Swift.min(4, cog / 32)), partRows = (cog + parts - 1) / parts
        withExtendedLifetime((x, gradOutput, perTap)) {
            Parallel.forEachChunk(count: g.groups * taps * parts, grain: 1) { task, _ in
                let (part, tap, group) = (task % parts, (task / parts) % taps, task / (parts * taps))
                let columns = layout.outputColumns[tap]
                let rows = (part * partRows)..<Swift.min(cog, (part + 1) * partRows)
                guard !columns.isEmpty, !rows.isEmpty else { return }
                for image in 0..<g.batch {
                    let source = px + (image * g.inChannels + group * cig) * g.inputVolume
                    let gradient = pg + (image * g.outChannels + group * cog + rows.lowerBound) * g.outputVolume
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows.count), Int32(cig), Int32(columns.count),
                                1, gradient + columns.lowerBound, Int32(g.outputVolume),
                                source + columns.lowerBound + layout.shifts[tap], Int32(g.inputVolume),
                                1, pt + (group * taps + tap) * cog * cig + rows.lowerBound * cig, Int32(cig))
                }
            }
            TapWeights.regroup(pt, into: gradWeight.typedPointer(Float.self), g, toTaps: false)
        }
        return gradWeight
    }

    /// Adds `bias[c]` to every element of channel `c` of a contiguous `[N, C, volume]` tensor, in place.
    private static func addChannelBias(_ bias: Tensor, to out: Tensor, channels: Int, volume: Int) {
        let (pb, po) = (bias.typedPointer(Float.self), out.typedPointer(Float.self))
        withExtendedLifetime((bias, out)) {
            Parallel.forEachChunk(count: out.elementCount / Swift.max(volume, 1), grain: Swift.max(1, Parallel.defaultGrain / Swift.max(volume, 1))) { _, rows in
                for row in rows {
                    let b = pb[row % channels], p = po + row * volume
                    for i in 0..<volume { p[i] += b }
                }
            }
        }
    }
}
