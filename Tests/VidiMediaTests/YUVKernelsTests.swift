import CFFmpeg
import CYUVConvert
import Foundation
import Testing
@testable import VidiMedia
import VidiRandom

/// Each of Vidi's YUV → RGB24 kernels (one pixel at a time, AVX2, AVX-512), called directly, against
/// libswscale's bytes (FFmpeg 5.1, `FrameConverter` with the kernel off). `UnscaledRGBKernelTests` check
/// only the kernel `vidi_yuv_to_rgb24` picks on this CPU; here every kernel the CPU runs is checked, at
/// widths around both vector kernels' steps (32 and 64 pixels, the overlapping last step, the one-pixel tail
/// of odd widths). Rows are written into a wider buffer of guard bytes, so a store past a row shows. Odd
/// heights (swscale takes its scaled path there) compare the vector kernels with the one-pixel form.
@Suite struct YUVKernelsTests {
    static let guardByte: UInt8 = 0x5A

    /// The kernels this CPU runs, slowest first.
    static var kernels: [VidiYUVKernel] {
        [VIDI_YUV_KERNEL_SCALAR, VIDI_YUV_KERNEL_AVX2, VIDI_YUV_KERNEL_AVX512]
            .filter { $0.rawValue <= vidi_yuv_best_kernel().rawValue }
    }

    /// `kernel` on `frame` into rows of width·3 + 13 bytes; the tight picture and whether the padding kept its guard.
    static func convert(_ frame: FrameBuffer, kernel: VidiYUVKernel, format: AVPixelFormat) -> (bytes: [UInt8], guardKept: Bool) {
        let source = frame.pointer.pointee
        let width = Int(source.width), height = Int(source.height), rowBytes = width * 3, stride = rowBytes + 13
        var buffer = [UInt8](repeating: guardByte, count: stride * height + 64)
        var factors = StreamingStoreTests.factors(frame, format: format)
        buffer.withUnsafeMutableBufferPointer { out in
            vidi_yuv_to_rgb24_using(kernel, source.data.0, Int(source.linesize.0), source.data.1, Int(source.linesize.1),
                                    source.data.2, Int(source.linesize.2), format == AV_PIX_FMT_YUV420P ? 1 : 0,
                                    out.baseAddress, stride, source.width, source.height, &factors, 0)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(rowBytes * height)
        var guardKept = true
        for (i, byte) in buffer.enumerated() {
            if i < stride * height && i % stride < rowBytes { bytes.append(byte) } else if byte != guardByte { guardKept = false }
        }
        return (bytes, guardKept)
    }

    @Test(arguments: [AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV422P])
    func everyKernelEqualsSwscale(_ format: AVPixelFormat) throws {
        #expect(Self.kernels.count >= 1)
        var random = SplitMix64(seed: 41)
        let widths = Array(1...70) + [95, 96, 97, 127, 128, 129, 130, 131, 191, 192, 193, 255, 256, 257, 639, 640, 641, 1279, 1920]
        for width in widths {
            for height in [2, 4, 3] {
                // Random bytes, with runs of the extremes (0 and 255) where clamping happens.
                let frame = try UnscaledRGBKernelTests.picture(width: width, height: height, format: format) { _, _, bytes in
                    let extreme = random.next() % 4 == 0
                    for i in 0..<bytes.count {
                        let r = random.next()
                        bytes[i] = extreme && r % 3 == 0 ? (r & 8 == 0 ? 0 : 255) : UInt8(truncatingIfNeeded: r)
                    }
                }
                let reference: [UInt8]
                if height % 2 == 0 {
                    guard case .rgb8(let bytes) = try FrameConverter(allowsKernel: false)
                        .convert(frame.pointer, output: FrameOutput(), rotation: 0, path: "synthetic").pixels else {
                        Issue.record("expected RGB bytes"); return
                    }
                    reference = bytes
                } else {
                    reference = Self.convert(frame, kernel: VIDI_YUV_KERNEL_SCALAR, format: format).bytes
                }
                for kernel in Self.kernels {
                    let result = Self.convert(frame, kernel: kernel, format: format)
                    #expect(result.guardKept, "kernel \(kernel.rawValue), \(width)x\(height): a byte past a row was written")
                    let equal = UnscaledRGBKernelTests.same(result.bytes, reference)
                    #expect(equal, "kernel \(kernel.rawValue), \(width)x\(height)")
                }
            }
        }
    }
}
