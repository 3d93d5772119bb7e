import CFFmpeg
import Foundation
import VidiFormats

/// Writes RGB frames (H x W x 3 UInt8, rows packed) as image files Python opens without Vidi.
///
/// ```swift
/// try ImageWriter.png.write(rgb: pixels, width: 320, height: 240, to: "frame-0.png")
/// try ImageWriter.jpeg(quality: 90).write(rgb: pixels, width: 320, height: 240, to: "frame-0.jpg")
/// try ImageWriter.npy.write(rgb: pixels, width: 320, height: 240, to: "frame-0.npy")  // uint8 (H, W, 3)
/// ```
/// PNG is lossless (libavcodec's `png` encoder, RGB24 as is). JPEG goes through libavcodec's `mjpeg`
/// encoder on full-range (JPEG) 4:2:0 YUV. `.npy` is the raw array, `numpy.load` gives shape (H, W, 3).
public enum ImageWriter: Sendable, Equatable {
    case png
    /// `quality` 1...100, higher is better (mapped onto the encoder's qscale 31...1).
    case jpeg(quality: Int)
    case npy

    /// The usual file extension, without the dot.
    public var fileExtension: String {
        switch self {
        case .png: return "png"
        case .jpeg: return "jpg"
        case .npy: return "npy"
        }
    }

    /// Parses a format name as typed on a command line: `png`, `jpg`/`jpeg`, `npy`.
    public init?(formatName: String, jpegQuality: Int = 90) {
        switch formatName.lowercased() {
        case "png": self = .png
        case "jpg", "jpeg": self = .jpeg(quality: jpegQuality)
        case "npy": self = .npy
        default: return nil
        }
    }

    /// The encoded file's bytes. `label` names the image in error messages.
    public func encode(rgb: UnsafeBufferPointer<UInt8>, width: Int, height: Int,
                       label: String = "<image>") throws -> [UInt8] {
        try Self.validate(count: rgb.count, width: width, height: height, label: label)
        switch self {
        case .npy:
            return NPYFormat.header(descr: "|u1", shape: [height, width, 3]) + Array(rgb)
        case .png:
            return try Self.encode(rgb, width: width, height: height, encoder: "png",
                                   pixelFormat: AV_PIX_FMT_RGB24, fullRange: true, label: label) { _ in }
        case .jpeg(let quality):
            guard (1...100).contains(quality) else {
                throw MediaError.invalidArgument("\(label): JPEG quality must be 1...100, got \(quality)")
            }
            // qscale 1 is best, 31 worst; quality 100 -> 1, 1 -> 31.
            let qscale = 31 - (quality - 1) * 30 / 99
            return try Self.encode(rgb, width: width, height: height, encoder: "mjpeg",
                                   pixelFormat: AV_PIX_FMT_YUV420P, fullRange: true, label: label) { context in
                context.pointee.flags |= AV_CODEC_FLAG_QSCALE
                context.pointee.global_quality = Int32(qscale) * FF_QP2LAMBDA
                context.pointee.qmin = 1
                context.pointee.qmax = 31
                context.pointee.color_range = AVCOL_RANGE_JPEG
            }
        }
    }

    public func encode(rgb: [UInt8], width: Int, height: Int, label: String = "<image>") throws -> [UInt8] {
        try rgb.withUnsafeBufferPointer { try encode(rgb: $0, width: width, height: height, label: label) }
    }

    /// Encodes and writes the image to `path` (created or truncated). Errors name `path`.
    public func write(rgb: UnsafeBufferPointer<UInt8>, width: Int, height: Int, to path: String) throws {
        let bytes = try encode(rgb: rgb, width: width, height: height, label: path)
        try Self.writeFile(bytes, to: path)
    }

    public func write(rgb: [UInt8], width: Int, height: Int, to path: String) throws {
        try rgb.withUnsafeBufferPointer { try write(rgb: $0, width: width, height: height, to: path) }
    }

    // MARK: - Internals

    static func validate(count: Int, width: Int, height: Int, label: String) throws {
        guard width > 0, height > 0 else {
            throw MediaError.invalidArgument("\(label): image size \(width)x\(height) must be positive")
        }
        // Guard the product first: absurd sizes must not overflow into a matching count.
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= Int(Int32.max) / 3 else {
            throw MediaError.invalidArgument("\(label): image size \(width)x\(height) is too large")
        }
        guard count == pixels * 3 else {
            throw MediaError.invalidArgument(
                "\(label): RGB buffer holds \(count) bytes, a \(width)x\(height)x3 image needs \(pixels * 3)")
        }
    }

    private static func encode(_ rgb: UnsafeBufferPointer<UInt8>, width: Int, height: Int, encoder name: String,
                               pixelFormat: AVPixelFormat, fullRange: Bool, label: String,
                               configure: (UnsafeMutablePointer<AVCodecContext>) -> Void) throws -> [UInt8] {
        let converter = try RGBFrameConverter(width: width, height: height, pixelFormat: pixelFormat,
                                              frameWidth: width, frameHeight: height, fullRange: fullRange,
                                              path: label)
        let encoder = try EncoderContext(encoder: name, path: label) { context in
            context.pointee.width = Int32(width)
            context.pointee.height = Int32(height)
            context.pointee.pix_fmt = pixelFormat
            context.pointee.time_base = AVRational(num: 1, den: 25)
            configure(context)
        }
        let frame = try converter.convert(rgb)
        frame.pointee.pts = 0
        frame.pointee.quality = encoder.context.pointee.global_quality
        var bytes: [UInt8] = []
        let collect: (UnsafeMutablePointer<AVPacket>) throws -> Void = { packet in
            guard let data = packet.pointee.data else { return }
            bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(packet.pointee.size)))
        }
        try encoder.encode(frame, collect)
        try encoder.encode(nil, collect)
        guard !bytes.isEmpty else {
            throw MediaError.ffmpeg(path: label, operation: "encoding with \(name)", code: 0,
                                    message: "the encoder produced no data")
        }
        return bytes
    }

    /// Writes `bytes` with POSIX calls so a failure carries the system's reason ("Permission denied").
    static func writeFile(_ bytes: [UInt8], to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw MediaError.cannotOpen(path: path, reason: "cannot write: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                guard let base = buffer.baseAddress else { return }
                let written = Foundation.write(descriptor, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw MediaError.cannotOpen(path: path, reason: "write failed: \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
    }
}
