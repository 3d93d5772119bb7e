import CFFmpeg
import CYUVConvert

/// swscale's unscaled 8-bit YUV → RGB24 conversion done by Vidi's AVX2 kernel, or its AVX-512 (F/BW/VBMI)
/// form where the CPU has one (`CYUVConvert`), with swscale's own fixed-point arithmetic: the same bytes at
/// about half the cost (less with AVX-512).
///
/// FFmpeg 5.1 converts yuv420p / yuv422p (and their `yuvj` forms, which it turns into those with full
/// range) to RGB24 with its x86 SSSE3 converter when the output keeps the source size, the height is even
/// and `SWS_ACCURATE_RND` is off — Vidi's full-size RGB. Everywhere else (a resize, an odd height, other
/// pixel formats, brightness/contrast/saturation changed, a CPU without AVX2) this returns nil and the
/// caller keeps swscale. `UnscaledRGBKernelTests` check the bytes against swscale's on every (Y, U, V).
struct UnscaledRGBKernel {
    /// Whether this CPU runs the kernel (AVX2, by libavutil's CPU detection).
    static var isAvailable: Bool { vidi_yuv_avx2_available() != 0 }

    private var factors: VidiYUVFactors
    private let chromaRowShift: Int32

    /// `context` is the swscale context set up for this conversion (colour details applied): its colour
    /// set-up is read back, so the kernel follows whatever swscale would do with it.
    init?(context: OpaquePointer, sourceFormat: Int32, sourceWidth: Int32, sourceHeight: Int32,
          width: Int32, height: Int32, flags: Int32, allowed: Bool = true) {
        guard allowed, Self.isAvailable,
              width == sourceWidth, height == sourceHeight, height % 2 == 0, flags & SWS_ACCURATE_RND == 0
        else { return nil }
        switch AVPixelFormat(rawValue: sourceFormat) {
        case AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUVJ420P: chromaRowShift = 1
        case AV_PIX_FMT_YUV422P, AV_PIX_FMT_YUVJ422P: chromaRowShift = 0
        default: return nil
        }
        var inverseTable: UnsafeMutablePointer<Int32>?, table: UnsafeMutablePointer<Int32>?
        var sourceFull: Int32 = 0, targetFull: Int32 = 0, brightness: Int32 = 0, contrast: Int32 = 0, saturation: Int32 = 0
        guard sws_getColorspaceDetails(context, &inverseTable, &sourceFull, &table, &targetFull,
                                       &brightness, &contrast, &saturation) >= 0,
              let inverseTable,
              brightness == 0, contrast == 1 << 16, saturation == 1 << 16   // the set-up checked against swscale
        else { return nil }
        factors = vidi_yuv_factors(inverseTable, sourceFull, brightness, contrast, saturation)
    }

    /// The whole picture (the size the kernel was made for) as tight H x W x 3 bytes, with plain stores:
    /// the kernel's non-temporal stores showed no gain beyond this VM's ±3% noise at 360p or 1080p, and a
    /// consumer reading the picture right away would then fetch it from memory (`Tools/bench/rgb_memory_ab.c`,
    /// BENCHMARKS.md "Model-ready frames", run of 2026-12-01 18:10–19:25).
    func convert(_ frame: UnsafePointer<AVFrame>, path: String) throws -> [UInt8] {
        let source = frame.pointee
        guard let luma = source.data.0, let blue = source.data.1, let red = source.data.2 else {
            throw MediaError.corrupt(path: path, reason: "decoder returned a YUV picture without its planes")
        }
        let width = Int(source.width), height = Int(source.height)
        return [UInt8](unsafeUninitializedCapacity: width * height * 3) { out, initialized in
            guard let base = out.baseAddress else { initialized = 0; return }
            withUnsafePointer(to: factors) { factors in
                vidi_yuv_to_rgb24(luma, Int(source.linesize.0), blue, Int(source.linesize.1),
                                  red, Int(source.linesize.2), chromaRowShift,
                                  base, width * 3, source.width, source.height, factors, 0)
            }
            initialized = width * height * 3
        }
    }
}
