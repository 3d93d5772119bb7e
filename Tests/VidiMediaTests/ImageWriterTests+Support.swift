import Foundation
import VidiTestSupport

/// Synthetic RGB test images and the FFmpeg-CLI decode the writer tests compare against.
enum WriterTestImages {
    /// A smooth gradient with a moving square (frame `t`) plus a little seeded noise: compressible
    /// enough for lossy codecs to look good, varied enough that an off-by-one row or channel shows.
    static func rgb(width: Int, height: Int, t: Int = 0, noise: Int = 8) -> [UInt8] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(t)
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let jitter = noise > 0 ? Int(state >> 59) % noise : 0
                let inSquare = (x - 3 * t + width) % width < width / 4 && (y - 2 * t + height) % height < height / 4
                let i = (y * width + x) * 3
                out[i] = UInt8(clamping: x * 255 / max(width - 1, 1) / 2 + jitter + (inSquare ? 120 : 0))
                out[i + 1] = UInt8(clamping: y * 255 / max(height - 1, 1) / 2 + jitter + 40)
                out[i + 2] = UInt8(clamping: (x + y) * 255 / max(width + height - 2, 1) / 2 + jitter + (inSquare ? 0 : 90))
            }
        }
        return out
    }

    /// Every frame of `path` as RGB24, decoded by the ffmpeg CLI (the independent reference).
    static func decodeWithFFmpeg(_ path: String) throws -> [UInt8] {
        let result = try runTool("ffmpeg", ["-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        guard result.status == 0 else { throw ToolError.notFound("ffmpeg failed on \(path): \(result.stderr)") }
        return [UInt8](result.stdout)
    }

    /// Peak signal-to-noise ratio in dB between two equally sized 8-bit buffers.
    static func psnr(_ a: [UInt8], _ b: [UInt8]) -> Double {
        precondition(a.count == b.count && !a.isEmpty)
        var squared = 0.0
        for i in a.indices {
            let d = Double(a[i]) - Double(b[i])
            squared += d * d
        }
        let mse = squared / Double(a.count)
        return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
    }
}
