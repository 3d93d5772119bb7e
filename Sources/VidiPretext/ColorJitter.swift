import VidiRandom

/// Per-frame colour jitter as torchvision's `ColorJitter` defines each adjustment (brightness, contrast,
/// saturation, hue, in a random order each frame) followed by a random grayscale, as MoSI applies it
/// (TAdaConv's `ColorJitter(consistent=False)`: every frame draws its own factors). Works on RGB bytes.
public struct ColorJitter: Sendable, Equatable {
    public var brightness: Double
    public var contrast: Double
    public var saturation: Double
    public var hue: Double
    public var grayscale: Double

    public init(brightness: Double, contrast: Double, saturation: Double, hue: Double, grayscale: Double) {
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
        self.hue = hue
        self.grayscale = grayscale
    }

    /// MoSI's setting (reference/pretext.md): 0.5, 0.5, 0.5, hue 0.25, grayscale p 0.3.
    public static let mosi = ColorJitter(brightness: 0.5, contrast: 0.5, saturation: 0.5, hue: 0.25, grayscale: 0.3)

    /// Jitters one H x W x 3 frame stored at `offset` in `pixels`.
    func apply(to pixels: inout [UInt8], offset: Int, count: Int, random: inout RandomGenerator) {
        let b = random.uniform(max(0, 1 - brightness), 1 + brightness)
        let c = random.uniform(max(0, 1 - contrast), 1 + contrast)
        let s = random.uniform(max(0, 1 - saturation), 1 + saturation)
        let h = random.uniform(-hue, hue)
        let order = random.permutation(4)
        let gray = random.chance(grayscale)
        let n = count / 3
        var r = [Float](repeating: 0, count: n), g = r, bl = r
        pixels.withUnsafeBufferPointer { p in
            for i in 0..<n {
                r[i] = Float(p[offset + 3 * i]) / 255
                g[i] = Float(p[offset + 3 * i + 1]) / 255
                bl[i] = Float(p[offset + 3 * i + 2]) / 255
            }
        }
        for op in order {
            switch op {
            case 0: Self.blend(&r, &g, &bl, factor: Float(b)) { _ in 0 }
            case 1:
                var mean: Float = 0
                for i in 0..<n { mean += Self.luma(r[i], g[i], bl[i]) }
                mean /= Float(max(1, n))
                Self.blend(&r, &g, &bl, factor: Float(c)) { _ in mean }
            case 2:
                let (rr, gg, bb) = (r, g, bl)
                Self.blend(&r, &g, &bl, factor: Float(s)) { i in Self.luma(rr[i], gg[i], bb[i]) }
            default: Self.shiftHue(&r, &g, &bl, by: Float(h))
            }
        }
        if gray {
            for i in 0..<n {
                let y = Self.luma(r[i], g[i], bl[i])
                (r[i], g[i], bl[i]) = (y, y, y)
            }
        }
        pixels.withUnsafeMutableBufferPointer { p in
            for i in 0..<n {
                p[offset + 3 * i] = Self.byte(r[i])
                p[offset + 3 * i + 1] = Self.byte(g[i])
                p[offset + 3 * i + 2] = Self.byte(bl[i])
            }
        }
    }

    /// torchvision's grayscale weights.
    @inline(__always) static func luma(_ r: Float, _ g: Float, _ b: Float) -> Float { 0.299 * r + 0.587 * g + 0.114 * b }

    @inline(__always) static func byte(_ v: Float) -> UInt8 { UInt8(min(255, max(0, (v * 255).rounded()))) }

    /// `factor * x + (1 - factor) * other(i)`, clamped to [0, 1] (torchvision's `_blend`).
    static func blend(_ r: inout [Float], _ g: inout [Float], _ b: inout [Float], factor: Float, other: (Int) -> Float) {
        for i in 0..<r.count {
            let o = (1 - factor) * other(i)
            r[i] = min(1, max(0, factor * r[i] + o))
            g[i] = min(1, max(0, factor * g[i] + o))
            b[i] = min(1, max(0, factor * b[i] + o))
        }
    }

    /// Rotates hue by `shift` turns in HSV (torchvision's `adjust_hue`).
    static func shiftHue(_ r: inout [Float], _ g: inout [Float], _ b: inout [Float], by shift: Float) {
        for i in 0..<r.count {
            let maxc = max(r[i], g[i], b[i]), minc = min(r[i], g[i], b[i])
            let v = maxc, delta = maxc - minc
            guard delta > 0 else { continue }
            let s = delta / maxc
            var h: Float
            if maxc == r[i] { h = (g[i] - b[i]) / delta } else if maxc == g[i] { h = 2 + (b[i] - r[i]) / delta } else { h = 4 + (r[i] - g[i]) / delta }
            h = h / 6 + shift
            h -= h.rounded(.down)
            let sector = h * 6, k = min(5, Int(sector)), f = sector - Float(k)
            let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
            switch k {
            case 0: (r[i], g[i], b[i]) = (v, t, p)
            case 1: (r[i], g[i], b[i]) = (q, v, p)
            case 2: (r[i], g[i], b[i]) = (p, v, t)
            case 3: (r[i], g[i], b[i]) = (p, q, v)
            case 4: (r[i], g[i], b[i]) = (t, p, v)
            default: (r[i], g[i], b[i]) = (v, p, q)
            }
        }
    }
}
