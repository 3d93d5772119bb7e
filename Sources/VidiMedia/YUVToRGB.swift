import CFFmpeg

/// YCbCr -> RGB for 8-bit YUV pictures, as FFmpeg 5.1's scaler chooses the matrix and range: the frame's
/// colorspace (BT.709, BT.601/470BG/SMPTE 170M, SMPTE 240M, BT.2020, FCC; anything else -> BT.601) and
/// range (JPEG range, or a `yuvj` format -> full; otherwise limited 16-235 / 16-240).
/// Fixed point with 16 fractional bits, five table lookups per pixel:
/// R = Y' + Vr, G = Y' + Ug + Vg, B = Y' + Ub.
struct YUVToRGB {
    /// 5 x 256: Y', Vr, Ug, Vg, Ub.
    private let tables: [Int32]
    /// The 4:4:4 format to resize into: `yuvj444p` for `yuvj` sources, so swscale keeps their full range
    /// instead of converting it to limited.
    let resizedFormat: AVPixelFormat

    /// nil for sources this converter does not take (not 8-bit planar YUV).
    init?(frame: AVFrame) {
        let format = AVPixelFormat(rawValue: frame.format)
        let full: Bool
        resizedFormat = [AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_YUVJ440P,
                          AV_PIX_FMT_YUVJ411P].contains(format) ? AV_PIX_FMT_YUVJ444P : AV_PIX_FMT_YUV444P
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

    func withTables(_ body: (UnsafePointer<Int32>) -> Void) {
        tables.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            body(base)
        }
    }
}
