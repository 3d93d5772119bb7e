import CFFmpeg
import CYUVConvert
import Foundation
import Testing
@testable import VidiMedia
import VidiRandom

/// The YUV → RGB24 kernel's non-temporal stores (`vidi_yuv_to_rgb24(..., streaming_stores: 1)`) against
/// libswscale's bytes (`FrameConverter` with the kernel turned off, as in `UnscaledRGBKernelTests`), at
/// every output alignment the kernel treats apart: 32-byte aligned rows (32-byte streams), 16 mod 32
/// (16 + 32 + 32 + 16-byte streams), 8 mod 16 (plain stores). Rows sit in a wider buffer filled with a
/// guard byte, so a store past a row's W·3 bytes, between rows or around the picture shows.
@Suite struct StreamingStoreTests {
    static let guardByte: UInt8 = 0xA5

    /// Converts `frame` with streaming stores into rows of `stride` bytes starting `offset` bytes past a
    /// 64-byte boundary; returns the tight picture and whether every byte outside it kept the guard.
    static func streamed(_ frame: FrameBuffer, stride: Int, offset: Int, chromaRowShift: Int32,
                         factors: VidiYUVFactors) -> (bytes: [UInt8], guardKept: Bool) {
        let source = frame.pointer.pointee
        let width = Int(source.width), height = Int(source.height)
        let total = offset + stride * height + 128
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: total, alignment: 64)
        defer { buffer.deallocate() }
        let raw = buffer.bindMemory(to: UInt8.self, capacity: total)
        raw.initialize(repeating: guardByte, count: total)
        let out = raw + offset
        withUnsafePointer(to: factors) { factors in
            vidi_yuv_to_rgb24(source.data.0, Int(source.linesize.0), source.data.1, Int(source.linesize.1),
                              source.data.2, Int(source.linesize.2), chromaRowShift, out, stride,
                              source.width, source.height, factors, 1)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(width * height * 3)
        var guardKept = true
        for i in 0..<total {
            let inPicture = i >= offset && (i - offset) < stride * height && (i - offset) % stride < width * 3
            if inPicture { bytes.append(raw[i]) } else if raw[i] != guardByte { guardKept = false }
        }
        return (bytes, guardKept)
    }

    @Test(arguments: [AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV422P])
    func streamingStoresEqualSwscaleAtEveryAlignment(_ format: AVPixelFormat) throws {
        guard UnscaledRGBKernel.isAvailable else { return }   // no AVX2: the one-pixel path has no streaming form
        var random = SplitMix64(seed: 29)
        // Widths: whole 32-pixel steps only (640: the 360p bench input's width), and ones with the
        // overlapping last step and a one-pixel tail, which stay plain stores.
        for width in [32, 64, 96, 100, 161, 640] {
            for height in [2, 6, 7] {
                let frame = try UnscaledRGBKernelTests.picture(width: width, height: height, format: format) { _, _, bytes in
                    for i in 0..<bytes.count { bytes[i] = UInt8(truncatingIfNeeded: random.next()) }
                }
                // swscale's own bytes (an odd height takes swscale's scaled path, which the kernel does not
                // reproduce: those heights are checked against the kernel's plain stores instead).
                let reference: [UInt8]
                if height % 2 == 0 {
                    let converter = FrameConverter(allowsKernel: false)
                    guard case .rgb8(let bytes) = try converter.convert(frame.pointer, output: FrameOutput(), rotation: 0,
                                                                       path: "synthetic").pixels else {
                        Issue.record("expected RGB bytes"); return
                    }
                    reference = bytes
                } else {
                    reference = Self.plain(frame, format: format)
                }
                let factors = Self.factors(frame, format: format)
                // Strides: tight when W·3 is a multiple of 32, else padded up to one (streaming needs it).
                let stride = (width * 3 + 31) / 32 * 32
                for offset in [0, 16, 8] {
                    let result = Self.streamed(frame, stride: stride, offset: offset,
                                               chromaRowShift: format == AV_PIX_FMT_YUV420P ? 1 : 0, factors: factors)
                    #expect(result.guardKept, "\(width)x\(height) offset \(offset): a byte outside the rows was written")
                    let equal = UnscaledRGBKernelTests.same(result.bytes, reference)
                    #expect(equal, "\(width)x\(height) offset \(offset)")
                }
            }
        }
    }

    /// BT.601 limited range, what `FrameConverter` sets up for a frame without colour tags.
    static func factors(_ frame: FrameBuffer, format: AVPixelFormat) -> VidiYUVFactors {
        var inverse = [Int32](repeating: 0, count: 4)
        if let table = sws_getCoefficients(SWS_CS_ITU601) { for i in 0..<4 { inverse[i] = table[i] } }
        return vidi_yuv_factors(inverse, 0, 0, 1 << 16, 1 << 16)
    }

    /// The kernel with plain stores into a tight buffer.
    static func plain(_ frame: FrameBuffer, format: AVPixelFormat) -> [UInt8] {
        let source = frame.pointer.pointee
        let width = Int(source.width), height = Int(source.height)
        var factors = Self.factors(frame, format: format)
        return [UInt8](unsafeUninitializedCapacity: width * height * 3) { out, initialized in
            vidi_yuv_to_rgb24(source.data.0, Int(source.linesize.0), source.data.1, Int(source.linesize.1),
                              source.data.2, Int(source.linesize.2), format == AV_PIX_FMT_YUV420P ? 1 : 0,
                              out.baseAddress, width * 3, source.width, source.height, &factors, 0)
            initialized = width * height * 3
        }
    }
}
