import CFFmpeg
import Foundation
import Testing
@testable import VidiMedia
import VidiRandom
import VidiTestSupport

/// `UnscaledRGBKernel` (Vidi's AVX2 YUV → RGB24) against libswscale itself (FFmpeg 5.1, set up as
/// `FrameConverter` always did, with the kernel turned off): every byte must be equal. On a CPU without
/// AVX2 the kernel is never chosen (the tests then check only that).
@Suite struct UnscaledRGBKernelTests {
    /// A decoder-like picture in FFmpeg's own (row-padded) buffer, each plane filled row by row.
    static func picture(width: Int, height: Int, format: AVPixelFormat,
                        fill: (_ plane: Int, _ row: Int, _ bytes: UnsafeMutableBufferPointer<UInt8>) -> Void) throws -> FrameBuffer {
        let buffer = try FrameBuffer()
        let frame = buffer.pointer
        frame.pointee.width = Int32(width)
        frame.pointee.height = Int32(height)
        frame.pointee.format = format.rawValue
        #expect(av_frame_get_buffer(frame, 0) >= 0)
        guard let descriptor = av_pix_fmt_desc_get(format) else { return buffer }
        let planes = withUnsafeBytes(of: frame.pointee.data) { Array($0.bindMemory(to: UnsafeMutablePointer<UInt8>?.self)) }
        let strides = withUnsafeBytes(of: frame.pointee.linesize) { Array($0.bindMemory(to: Int32.self)) }
        for plane in 0..<Int(av_pix_fmt_count_planes(format)) {
            guard let base = planes[plane] else { continue }
            let rows = plane == 1 || plane == 2 ? -((-height) >> Int(descriptor.pointee.log2_chroma_h)) : height
            let rowBytes = Int(av_image_get_linesize(format, Int32(width), Int32(plane)))
            for row in 0..<rows {
                fill(plane, row, UnsafeMutableBufferPointer(start: base + row * Int(strides[plane]), count: rowBytes))
            }
        }
        return buffer
    }

    /// Kernel (when the CPU has it) and swscale on one picture: their bytes and whether the kernel ran.
    static func bothWays(_ frame: FrameBuffer, _ output: FrameOutput = FrameOutput(), rotation: Int = 0) throws
        -> (kernel: [UInt8], swscale: [UInt8], usedKernel: Bool)
    {
        let fast = FrameConverter(), reference = FrameConverter(allowsKernel: false)
        let a = try fast.convert(frame.pointer, output: output, rotation: rotation, path: "synthetic")
        let b = try reference.convert(frame.pointer, output: output, rotation: rotation, path: "synthetic")
        #expect(!reference.lastUsedKernel)
        guard case .rgb8(let kernelBytes) = a.pixels, case .rgb8(let swscaleBytes) = b.pixels else {
            Issue.record("expected RGB bytes"); return ([], [], false)
        }
        return (kernelBytes, swscaleBytes, fast.lastUsedKernel)
    }

    static func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.count == b.count && a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in
                guard let p = x.baseAddress, let q = y.baseAddress else { return x.count == 0 }
                return memcmp(p, q, x.count) == 0
            }
        }
    }

    /// One 4096 x 4096 picture holds every (Y, U, V): chroma sample (cx, cy) has U = cx mod 256 and
    /// V = cy mod 256, and the 64 (4:2:0) or 128 (4:2:2) samples sharing a (U, V) cover Y = 0...255 with
    /// their 4 or 2 pixels. Checked under every colour matrix swscale tables and each range setting.
    @Test(arguments: [AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUV422P, AV_PIX_FMT_YUVJ422P])
    func everyYUVCodeEqualsSwscale(_ format: AVPixelFormat) throws {
        let side = 4096
        let rowShift = format == AV_PIX_FMT_YUV420P || format == AV_PIX_FMT_YUVJ420P ? 1 : 0
        let frame = try Self.picture(width: side, height: side, format: format) { plane, row, bytes in
            switch plane {
            case 0:
                let cy = row >> rowShift, perSample = rowShift == 1 ? 4 : 2
                for x in 0..<bytes.count {
                    let block = (x >> 9) + 8 * (cy >> 8)          // which copy of the (U, V) grid
                    let within = (x & 1) + (rowShift == 1 ? 2 * (row & 1) : 0)
                    bytes[x] = UInt8(truncatingIfNeeded: perSample * block + within)
                }
            case 1: for cx in 0..<bytes.count { bytes[cx] = UInt8(truncatingIfNeeded: cx) }
            default: for cx in 0..<bytes.count { bytes[cx] = UInt8(truncatingIfNeeded: row) }
            }
        }
        let settings: [(AVColorSpace, AVColorRange)] = [
            (AVCOL_SPC_UNSPECIFIED, AVCOL_RANGE_UNSPECIFIED), (AVCOL_SPC_BT470BG, AVCOL_RANGE_MPEG),
            (AVCOL_SPC_SMPTE170M, AVCOL_RANGE_JPEG), (AVCOL_SPC_BT709, AVCOL_RANGE_MPEG), (AVCOL_SPC_BT709, AVCOL_RANGE_JPEG),
            (AVCOL_SPC_FCC, AVCOL_RANGE_MPEG), (AVCOL_SPC_SMPTE240M, AVCOL_RANGE_JPEG), (AVCOL_SPC_BT2020_NCL, AVCOL_RANGE_MPEG),
        ]
        for (space, range) in settings {
            frame.pointer.pointee.colorspace = space
            frame.pointer.pointee.color_range = range
            let result = try Self.bothWays(frame)
            #expect(result.usedKernel == UnscaledRGBKernel.isAvailable)
            let equal = Self.same(result.kernel, result.swscale)
            #expect(equal, "colorspace \(space.rawValue), range \(range.rawValue)")
        }
    }

    /// Widths around the kernel's 32-pixel steps (two per loop turn, then one more 32-pixel step, its
    /// overlapping last step and one-pixel tail, in every combination up to 192), odd widths (a last chroma
    /// sample with one pixel), rotation, random content.
    @Test(arguments: [AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV422P])
    func everyWidthEqualsSwscale(_ format: AVPixelFormat) throws {
        var random = SplitMix64(seed: 13)
        let widths = Array(1...70) + [95, 96, 97, 127, 128, 129, 159, 160, 161, 190, 191, 192, 321, 322, 338, 854, 1922]
        for width in widths {
            for height in [2, 6] {
                let frame = try Self.picture(width: width, height: height, format: format) { _, _, bytes in
                    for i in 0..<bytes.count { bytes[i] = UInt8(truncatingIfNeeded: random.next()) }
                }
                for rotation in width == 33 ? [0, 90, 180, 270] : [0] {
                    let result = try Self.bothWays(frame, rotation: rotation)
                    #expect(result.usedKernel == UnscaledRGBKernel.isAvailable)
                    let equal = Self.same(result.kernel, result.swscale)
                    #expect(equal, "\(width)x\(height), rotation \(rotation)")
                }
            }
        }
    }

    /// swscale takes another path (or the kernel's arithmetic was not checked) here: the kernel must stay out.
    @Test func fallsBackToSwscaleWhereItMust() throws {
        func kernelChosen(_ width: Int, _ height: Int, _ format: AVPixelFormat, _ output: FrameOutput = FrameOutput()) throws -> Bool {
            let frame = try Self.picture(width: width, height: height, format: format) { _, row, bytes in
                for i in 0..<bytes.count { bytes[i] = UInt8(truncatingIfNeeded: i * 7 + row * 3) }
            }
            let result = try Self.bothWays(frame, output)
            let equal = Self.same(result.kernel, result.swscale)
            #expect(equal, "\(width)x\(height) \(format.rawValue)")
            return result.usedKernel
        }
        #expect(try kernelChosen(64, 48, AV_PIX_FMT_YUV420P) == UnscaledRGBKernel.isAvailable)
        #expect(try !kernelChosen(64, 47, AV_PIX_FMT_YUV420P))        // odd height: swscale's scaled path
        #expect(try !kernelChosen(64, 47, AV_PIX_FMT_YUV422P))
        #expect(try !kernelChosen(64, 48, AV_PIX_FMT_YUV420P, FrameOutput(size: .exact(width: 32, height: 24))))
        #expect(try !kernelChosen(64, 48, AV_PIX_FMT_YUV444P))
        #expect(try !kernelChosen(64, 48, AV_PIX_FMT_NV12))
        #expect(try !kernelChosen(64, 48, AV_PIX_FMT_GRAY8))
        #expect(try !kernelChosen(64, 48, AV_PIX_FMT_YUV420P10LE))

        // Flags and colour adjustments the kernel does not reproduce.
        guard let context = sws_getContext(64, 48, AV_PIX_FMT_YUV420P, 64, 48, AV_PIX_FMT_RGB24, SWS_BICUBIC, nil, nil, nil) else {
            Issue.record("sws_getContext failed"); return
        }
        defer { sws_freeContext(context) }
        func kernel(flags: Int32 = SWS_BICUBIC) -> UnscaledRGBKernel? {
            UnscaledRGBKernel(context: context, sourceFormat: AV_PIX_FMT_YUV420P.rawValue, sourceWidth: 64, sourceHeight: 48,
                              width: 64, height: 48, flags: flags)
        }
        #expect((kernel() != nil) == UnscaledRGBKernel.isAvailable)
        #expect(kernel(flags: SWS_BICUBIC | SWS_ACCURATE_RND) == nil)
        let table = sws_getCoefficients(SWS_CS_ITU601)
        _ = sws_setColorspaceDetails(context, table, 0, table, 1, 1 << 10, 1 << 16, 1 << 16)   // brightness
        #expect(kernel() == nil)
        _ = sws_setColorspaceDetails(context, table, 0, table, 1, 0, 1 << 16, 3 << 15)          // saturation
        #expect(kernel() == nil)
    }

    /// The bundled 8-bit 4:2:0 videos (BT.601 and BT.709 limited range, full-range MJPEG, rotation) take
    /// the kernel and still give the ffmpeg CLI's `-pix_fmt rgb24` bytes.
    @Test(arguments: ["h264-bt601-sd.mp4", "h264-bt709-hd.mp4", "mjpeg.avi", "rotated-90.mp4", "h264-bframes-opengop.mp4", "vp9.webm"])
    func fixturesTakeTheKernelAndMatchFFmpeg(_ name: String) throws {
        let path = media(name)
        let reader = try VideoReader(path: path)
        var bytes: [UInt8] = []
        try reader.forEachFrame(FrameOutput()) { frame in bytes += frame.image?.rgb ?? [] }
        #expect(reader.converter.lastUsedKernel == UnscaledRGBKernel.isAvailable)
        let reference = try FFmpegReference.rgbFrames(path)
        let equal = Self.same(bytes, reference)   // a Bool, so a failure does not print megabytes
        #expect(equal, "\(bytes.count) vs \(reference.count) bytes")
    }
}
