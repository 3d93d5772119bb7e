// CLIP's image preprocessing: openai/CLIP `clip/clip.py` `_transform`: torchvision `Resize(n_px, BICUBIC)`
// on a PIL image (the shorter side to n_px, the longer `int(n_px · long / short)`), `CenterCrop(n_px)`
// (offsets `int(round((size − n_px) / 2))`), `ToTensor` ([0, 1]) and `Normalize` with CLIP's mean / std.
// The resize reproduces Pillow's `ImagingResample` (libImaging/Resample.c) for 8-bit images: antialiased
// bicubic (a = −0.5, support scaled by the reduction factor), 22-bit fixed-point coefficients, a horizontal
// then a vertical pass, each rounded to 8 bits.
import VidiTensor

public enum CLIPPreprocess {
    public static let mean: [Float] = [0.48145466, 0.4578275, 0.40821073]
    public static let std: [Float] = [0.26862954, 0.26130258, 0.27577711]
    static let precisionBits = 32 - 8 - 2

    /// `rgb`: height x width x 3 bytes → `[3, n, n]` normalised.
    public static func tensor(rgb: [UInt8], width: Int, height: Int, resolution n: Int) throws -> Tensor {
        guard width > 0, height > 0, rgb.count == width * height * 3, n > 0 else {
            throw RetrievalError.shape("image of \(rgb.count) bytes is not \(width) x \(height) x 3, or resolution \(n) is not positive")
        }
        let (newW, newH) = width <= height ? (n, Int(Double(n) * Double(height) / Double(width)))
                                           : (Int(Double(n) * Double(width) / Double(height)), n)
        let resized = resize(rgb, width: width, height: height, toWidth: max(newW, n), toHeight: max(newH, n))
        let rw = max(newW, n), rh = max(newH, n)
        let top = Int((Double(rh - n) / 2).rounded(.toNearestOrEven)), left = Int((Double(rw - n) / 2).rounded(.toNearestOrEven))
        return Tensor(unsafeUninitializedShape: [3, n, n]) { out in
            for c in 0..<3 {
                for y in 0..<n {
                    for x in 0..<n {
                        let v = Float(resized[((top + y) * rw + left + x) * 3 + c]) / 255
                        out[(c * n + y) * n + x] = (v - mean[c]) / std[c]
                    }
                }
            }
        }
    }

    static func bicubic(_ x: Double) -> Double {
        let a = -0.5, x = abs(x)
        if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
        if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
        return 0
    }

    /// Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc`: per output pixel, the first input index and
    /// the fixed-point weights.
    static func coefficients(inSize: Int, outSize: Int) -> (bounds: [(Int, Int)], weights: [[Int32]]) {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = 2 * filterScale
        var bounds: [(Int, Int)] = [], weights: [[Int32]] = []
        for xx in 0..<outSize {
            let center = (Double(xx) + 0.5) * scale
            let ss = 1 / filterScale
            let xmin = max(Int(center - support + 0.5), 0)
            let xmax = min(Int(center - (-support) + 0.5), inSize) - xmin
            var k = [Double](repeating: 0, count: max(xmax, 0))
            var ww = 0.0
            for x in 0..<max(xmax, 0) {
                let w = bicubic((Double(x + xmin) - center + 0.5) * ss)
                k[x] = w; ww += w
            }
            if ww != 0 { for x in k.indices { k[x] /= ww } }
            let one = Double(1 << precisionBits)
            weights.append(k.map { $0 < 0 ? Int32(-0.5 + $0 * one) : Int32(0.5 + $0 * one) })
            bounds.append((xmin, max(xmax, 0)))
        }
        return (bounds, weights)
    }

    static func clip8(_ v: Int64) -> UInt8 {
        let shifted = v >> Int64(precisionBits)
        return UInt8(clamping: min(max(shifted, 0), 255))
    }

    /// Pillow's 8-bit resample: horizontal pass (if the width changes), then vertical (if the height does).
    static func resize(_ rgb: [UInt8], width: Int, height: Int, toWidth: Int, toHeight: Int) -> [UInt8] {
        var image = rgb, w = width
        if toWidth != width {
            let (bounds, weights) = coefficients(inSize: width, outSize: toWidth)
            var out = [UInt8](repeating: 0, count: toWidth * height * 3)
            for y in 0..<height {
                for xx in 0..<toWidth {
                    let (xmin, count) = bounds[xx], k = weights[xx]
                    for c in 0..<3 {
                        var ss: Int64 = 1 << Int64(precisionBits - 1)
                        for x in 0..<count { ss += Int64(image[(y * w + xmin + x) * 3 + c]) * Int64(k[x]) }
                        out[(y * toWidth + xx) * 3 + c] = clip8(ss)
                    }
                }
            }
            image = out; w = toWidth
        }
        if toHeight != height {
            let (bounds, weights) = coefficients(inSize: height, outSize: toHeight)
            var out = [UInt8](repeating: 0, count: w * toHeight * 3)
            for yy in 0..<toHeight {
                let (ymin, count) = bounds[yy], k = weights[yy]
                for x in 0..<w {
                    for c in 0..<3 {
                        var ss: Int64 = 1 << Int64(precisionBits - 1)
                        for y in 0..<count { ss += Int64(image[((ymin + y) * w + x) * 3 + c]) * Int64(k[y]) }
                        out[(yy * w + x) * 3 + c] = clip8(ss)
                    }
                }
            }
            image = out
        }
        return image
    }
}
