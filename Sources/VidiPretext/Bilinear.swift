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
        try box.check(inside: width, height)
        guard outWidth > 0, outHeight > 0, floats.count == width * height * channels else {
            throw PretextError.invalidArgument("resample \(width)x\(height)x\(channels) (\(floats.count) values) to \(outWidth)x\(outHeight)")
        }
        let xs = Axis(start: box.x, length: box.width, output: outWidth)
        let ys = Axis(start: box.y, length: box.height, output: outHeight)
        var out = [Float](repeating: 0, count: outWidth * outHeight * channels)
        floats.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for oy in 0..<outHeight {
                    let r0 = ys.low[oy] * width, r1 = ys.high[oy] * width, wy = ys.weight[oy]
                    for ox in 0..<outWidth {
                        let c0 = xs.low[ox], c1 = xs.high[ox], wx = xs.weight[ox]
                        for c in 0..<channels {
                            let a = src[(r0 + c0) * channels + c], b = src[(r0 + c1) * channels + c]
                            let p = src[(r1 + c0) * channels + c], q = src[(r1 + c1) * channels + c]
                            let top = a + (b - a) * wx, bottom = p + (q - p) * wx
                            dst[(oy * outWidth + ox) * channels + c] = top + (bottom - top) * wy
                        }
                    }
                }
            }
        }
        return out
    }

    static func resample(bytes: [UInt8], width: Int, height: Int, channels: Int, box: CropBox,
                         outWidth: Int, outHeight: Int) throws -> [UInt8] {
        try box.check(inside: width, height)
        guard outWidth > 0, outHeight > 0, bytes.count == width * height * channels else {
            throw PretextError.invalidArgument("resample \(width)x\(height)x\(channels) (\(bytes.count) bytes) to \(outWidth)x\(outHeight)")
        }
        let xs = Axis(start: box.x, length: box.width, output: outWidth)
        let ys = Axis(start: box.y, length: box.height, output: outHeight)
        var out = [UInt8](repeating: 0, count: outWidth * outHeight * channels)
        bytes.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for oy in 0..<outHeight {
                    let r0 = ys.low[oy] * width, r1 = ys.high[oy] * width, wy = ys.weight[oy]
                    for ox in 0..<outWidth {
                        let c0 = xs.low[ox], c1 = xs.high[ox], wx = xs.weight[ox]
                        for c in 0..<channels {
                            let a = Float(src[(r0 + c0) * channels + c]), b = Float(src[(r0 + c1) * channels + c])
                            let p = Float(src[(r1 + c0) * channels + c]), q = Float(src[(r1 + c1) * channels + c])
                            let top = a + (b - a) * wx, bottom = p + (q - p) * wx
                            let v = top + (bottom - top) * wy
                            dst[(oy * outWidth + ox) * channels + c] = UInt8(min(255, max(0, v.rounded())))
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
