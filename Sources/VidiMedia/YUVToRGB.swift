import CFFmpeg

/// YCbCr -> RGB for 8-bit YUV pictures, as FFmpeg 5.1's scaler chooses the matrix and range: the frame's
/// colorspace (BT.709, BT.601/470BG/SMPTE 170M, SMPTE 240M, BT.2020, FCC; anything else -> BT.601) and
/// range (JPEG range, or a `yuvj` format -> full; otherwise limited 16-235 / 16-240).
/// Fixed point with 16 fractional bits, five table lookups per pixel:
/// R = Y' + Vr, G = Y' + Ug + Vg, B = Y' + Ub.
struct YUVToRGB: Equatable {
    /// 5 x 256: Y', Vr, Ug, Vg, Ub.
    private let tables: [Int32]

    /// nil for sources this converter does not take (not 8-bit planar YUV).
    init?(frame: AVFrame) {
        let format = AVPixelFormat(rawValue: frame.format)
        let full: Bool
        switch format {
        case AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV422P, AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUV440P, AV_PIX_FMT_YUV411P,
             AV_PIX_FMT_YUV410P:
            full = frame.color_range == AVCOL_RANGE_JPEG
        case AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_YUVJ440P, AV_PIX_FMT_YUVJ411P:
            full = true
        default:
            return nil
        }
        let (kr, kb): (Double, Double)
        switch frame.colorspace {
        case AVCOL_SPC_BT709: (kr, kb) = (0.2126, 0.0722)
        case AVCOL_SPC_FCC: (kr, kb) = (0.30, 0.11)
        case AVCOL_SPC_SMPTE240M: (kr, kb) = (0.212, 0.087)
        case AVCOL_SPC_BT2020_NCL, AVCOL_SPC_BT2020_CL: (kr, kb) = (0.2627, 0.0593)
        default: (kr, kb) = (0.299, 0.114)
        }
        let kg = 1 - kr - kb
        let one = 65536.0 * 255
        let yScale = full ? 1 / 255.0 : 1 / 219.0, yOffset = full ? 0.0 : 16
        let cScale = full ? 1 / 255.0 : 1 / 224.0
        var t = [Int32](repeating: 0, count: 5 * 256)
        for i in 0..<256 {
            let y = (Double(i) - yOffset) * yScale, c = (Double(i) - 128) * cScale
            t[i] = Int32((y * one).rounded())
            t[256 + i] = Int32((2 * (1 - kr) * c * one).rounded())
            t[512 + i] = Int32((-2 * (1 - kb) * kb / kg * c * one).rounded())
            t[768 + i] = Int32((-2 * (1 - kr) * kr / kg * c * one).rounded())
            t[1024 + i] = Int32((2 * (1 - kb) * c * one).rounded())
        }
        tables = t
    }

    /// Every value a channel's rounded sum ((Y' + chroma terms + 2^15) >> 16) can take, from the tables'
    /// extremes: the range the conversion's clamp-and-normalise lookup must cover.
    var roundedRange: ClosedRange<Int> {
        func extremes(_ k: Int) -> (Int, Int) {
            let part = tables[(k * 256)..<((k + 1) * 256)]
            return (Int(part.min() ?? 0), Int(part.max() ?? 0))
        }
        let (y, vr, ug, vg, ub) = (extremes(0), extremes(1), extremes(2), extremes(3), extremes(4))
        let lows = [y.0 + vr.0, y.0 + ug.0 + vg.0, y.0 + ub.0], highs = [y.1 + vr.1, y.1 + ug.1 + vg.1, y.1 + ub.1]
        let low = ((lows.min() ?? 0) + 32768) >> 16, high = ((highs.max() ?? 0) + 32768) >> 16
        return min(low, 0)...max(high, 255)
    }

    func withTables(_ body: (UnsafePointer<Int32>) -> Void) {
        tables.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            body(base)
        }
    }
}
