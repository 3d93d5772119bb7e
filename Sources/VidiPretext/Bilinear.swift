/// Bilinear resampling of a region of a channel-last array, as PyTorch's
/// `torch.nn.functional.interpolate(mode="bilinear", align_corners=False)` on the cropped region
/// (source coordinate (d + 0.5) * in / out - 0.5, clamped at 0; no antialiasing). Values are not
/// rescaled, so motion maps keep their magnitudes in pixels.
enum Bilinear {
    /// Per output coordinate: the two source indices (absolute) and the weight of the second.
    struct Axis {
        var low: [Int]
        var high: [Int]
        var weight: [Float]

        init(start: Int, length: Int, output: Int) {
            low = []; high = []; weight = []
            let scale = Double(length) / Double(output)
            for d in 0..<output {
                let source = max(0, (Double(d) + 0.5) * scale - 0.5)
                let i0 = min(Int(source), length - 1)
                let i1 = min(i0 + 1, length - 1)
                low.append(start + i0)
                high.append(start + i1)
                weight.append(Float(source - Double(i0)))
            }
        }
    }

    static func resample(floats: [Float], width: Int, height: Int, channels: Int, box: CropBox,
                         outWidth: Int, outHeight: Int) throws -> [Float] {
        try resample(floats, width: width, height: height, channels: channels, box: box, outWidth: outWidth,
                     outHeight: outHeight, what: "values", load: { $0 }, store: { $0 })
    }

    static func resample(bytes: [UInt8], width: Int, height: Int, channels: Int, box: CropBox,
                         outWidth: Int, outHeight: Int) throws -> [UInt8] {
        try resample(bytes, width: width, height: height, channels: channels, box: box, outWidth: outWidth,
                     outHeight: outHeight, what: "bytes", load: { Float($0) }, store: { UInt8(min(255, max(0, $0.rounded()))) })
    }

    /// The one bilinear loop: `load` turns a sample into a float, `store` the interpolated float back.
    @inline(__always)
    private static func resample<T>(_ source: [T], width: Int, height: Int, channels: Int, box: CropBox,
                                    outWidth: Int, outHeight: Int, what: String,
                                    load: (T) -> Float, store: (Float) -> T) throws -> [T] {
        try box.check(inside: width, height)
        guard outWidth > 0, outHeight > 0, source.count == width * height * channels, let zero = source.first else {
            throw PretextError.invalidArgument("resample \(width)x\(height)x\(channels) (\(source.count) \(what)) to \(outWidth)x\(outHeight)")
        }
        let xs = Axis(start: box.x, length: box.width, output: outWidth)
        let ys = Axis(start: box.y, length: box.height, output: outHeight)
        var out = [T](repeating: zero, count: outWidth * outHeight * channels)
        source.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for oy in 0..<outHeight {
                    let r0 = ys.low[oy] * width, r1 = ys.high[oy] * width, wy = ys.weight[oy]
                    for ox in 0..<outWidth {
                        let c0 = xs.low[ox], c1 = xs.high[ox], wx = xs.weight[ox]
                        for c in 0..<channels {
                            let a = load(src[(r0 + c0) * channels + c]), b = load(src[(r0 + c1) * channels + c])
                            let p = load(src[(r1 + c0) * channels + c]), q = load(src[(r1 + c1) * channels + c])
                            let top = a + (b - a) * wx, bottom = p + (q - p) * wx
                            dst[(oy * outWidth + ox) * channels + c] = store(top + (bottom - top) * wy)
                        }
                    }
                }
            }
        }
        return out
    }

    /// Mirrors each row of a channel-last array in place.
    static func flipRows<T>(_ values: inout [T], width: Int, height: Int, channels: Int) {
        values.withUnsafeMutableBufferPointer { v in
            for row in 0..<height {
                var left = 0, right = width - 1
                while left < right {
                    for c in 0..<channels {
                        v.swapAt((row * width + left) * channels + c, (row * width + right) * channels + c)
                    }
                    left += 1
                    right -= 1
                }
            }
        }
    }
}
