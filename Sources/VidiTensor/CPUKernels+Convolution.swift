import COpenBLAS

/// Convolution as im2col + SGEMM, per image and channel group: `out[g] = W[g] · columns(x[g])`.
/// Images run one after another and OpenBLAS threads each GEMM, while im2col/col2im split rows across cores.
/// All operands are contiguous float32 with the geometry's shapes.
extension CPUKernels {
    /// A scratch column matrix for one image's channel group (not needed by pointwise convolutions), in
    /// tensor storage so large ones get huge pages. Also makes sure OpenBLAS has picked its kernels.
    private static func withColumnBuffer<R>(_ g: ConvGeometry, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        BLAS.prepare()
        let count = g.isPointwise ? 1 : g.columnRows * g.outputVolume
        let scratch = TensorStorage(uninitializedByteCount: count * MemoryLayout<Float>.size)
        return withExtendedLifetime(scratch) { body(scratch.pointer(as: Float.self)) }
    }

    /// Forward convolution; `bias` (length C_out) is added to every output position.
    static func convolution(_ x: Tensor, weight: Tensor, bias: Tensor?, _ g: ConvGeometry) -> Tensor {
        let (cog, rows, inVol, outVol) = (g.outChannelsPerGroup, g.columnRows, g.inputVolume, g.outputVolume)
        // SGEMM (beta 0) or the bias fill writes every element unless a channel count is zero.
        let out = cog > 0 && rows > 0 ? Tensor(uninitialized: g.outputShape, dtype: .float32) : Tensor(zeroed: g.outputShape, dtype: .float32)
        let px = x.typedPointer(Float.self), pw = weight.typedPointer(Float.self), po = out.typedPointer(Float.self)
        if let bias {
            let pb = bias.typedPointer(Float.self)
            withExtendedLifetime(bias) {
                for image in 0..<g.batch {
                    for channel in 0..<g.outChannels {
                        (po + (image * g.outChannels + channel) * outVol).update(repeating: pb[channel], count: outVol)
                    }
                }
            }
        }
        guard cog > 0, rows > 0 else { return out }
        withExtendedLifetime((x, weight)) {
            withColumnBuffer(g) { columns in
                for image in 0..<g.batch {
                    for group in 0..<g.groups {
                        let source = px + (image * g.inChannels + group * g.inChannelsPerGroup) * inVol
                        let matrix: UnsafePointer<Float>
                        if g.isPointwise {
                            matrix = UnsafePointer(source)
                        } else {
                            volumeToColumns(source, g, into: columns)
                            matrix = UnsafePointer(columns)
                        }
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(cog), Int32(outVol), Int32(rows),
                                    1, pw + group * cog * rows, Int32(rows), matrix, Int32(outVol),
                                    bias == nil ? 0 : 1, po + (image * g.outChannels + group * cog) * outVol, Int32(outVol))
                    }
                }
            }
        }
        return out
    }

    /// Gradient with respect to the input: `columns = W[g]ᵀ · gOut[g]`, then col2im.
    /// (Also the forward pass of a transposed convolution.)
    static func convolutionInputGradient(_ gradOutput: Tensor, weight: Tensor, _ g: ConvGeometry) -> Tensor {
        let gradInput = Tensor(zeroed: g.inputShape, dtype: .float32)
        let pg = gradOutput.typedPointer(Float.self), pw = weight.typedPointer(Float.self), pi = gradInput.typedPointer(Float.self)
        let (cog, rows, inVol, outVol) = (g.outChannelsPerGroup, g.columnRows, g.inputVolume, g.outputVolume)
        guard cog > 0, rows > 0 else { return gradInput }
        withExtendedLifetime((gradOutput, weight)) {
            withColumnBuffer(g) { columns in
                for image in 0..<g.batch {
                    for group in 0..<g.groups {
                        let destination = pi + (image * g.inChannels + group * g.inChannelsPerGroup) * inVol
                        let target = g.isPointwise ? destination : columns
                        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(rows), Int32(outVol), Int32(cog),
                                    1, pw + group * cog * rows, Int32(rows),
                                    pg + (image * g.outChannels + group * cog) * outVol, Int32(outVol),
                                    0, target, Int32(outVol))
                        if !g.isPointwise { addColumnsToVolume(columns, g, into: destination) }
                    }
                }
            }
        }
        return gradInput
    }

    /// Gradient with respect to the weight: `Σ_images gOut[g] · columns(x[g])ᵀ`.
    static func convolutionWeightGradient(_ x: Tensor, gradOutput: Tensor, _ g: ConvGeometry) -> Tensor {
        let gradWeight = Tensor(zeroed: g.weightShape, dtype: .float32)
        let px = x.typedPointer(Float.self), pg = gradOutput.typedPointer(Float.self), pw = gradWeight.typedPointer(Float.self)
        let (cog, rows, inVol, outVol) = (g.outChannelsPerGroup, g.columnRows, g.inputVolume, g.outputVolume)
        guard cog > 0, rows > 0 else { return gradWeight }
        withExtendedLifetime((x, gradOutput)) {
            withColumnBuffer(g) { columns in
                for image in 0..<g.batch {
                    for group in 0..<g.groups {
                        let source = px + (image * g.inChannels + group * g.inChannelsPerGroup) * inVol
                        let matrix: UnsafePointer<Float>
                        if g.isPointwise {
                            matrix = UnsafePointer(source)
                        } else {
                            volumeToColumns(source, g, into: columns)
                            matrix = UnsafePointer(columns)
                        }
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(cog), Int32(rows), Int32(outVol),
                                    1, pg + (image * g.outChannels + group * cog) * outVol, Int32(outVol),
                                    matrix, Int32(outVol), 1, pw + group * cog * rows, Int32(rows))
                    }
                }
            }
        }
        return gradWeight
    }

    /// Sums `[N, C, spatial…]` over everything but the channel axis (the bias gradient), in Double.
    static func channelSums(_ t: Tensor, channels: Int) -> Tensor {
        let batch = t.shape[0], volume = t.elementCount / Swift.max(batch * channels, 1)
        let p = t.typedPointer(Float.self)
        var sums = [Double](repeating: 0, count: channels)
        withExtendedLifetime(t) {
            for image in 0..<batch {
                for channel in 0..<channels {
                    let row = p + (image * channels + channel) * volume
                    var total = 0.0
                    for i in 0..<volume { total += Double(row[i]) }
                    sums[channel] += total
                }
            }
        }
        return Tensor(sums.map { Float($0) })
    }
}
