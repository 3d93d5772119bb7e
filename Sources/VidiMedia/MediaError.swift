import CFFmpeg

/// Everything that can go wrong reading or writing media. Each case names the file and the reason.
public enum MediaError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The path does not exist or cannot be read.
    case cannotOpen(path: String, reason: String)
    /// The file opened but holds no decodable video stream (audio only, not media at all).
    case noVideoStream(path: String)
    /// No decoder (or encoder) for the stream's codec in this FFmpeg build.
    case unsupportedCodec(path: String, codec: String)
    /// An FFmpeg call failed; `operation` says which, `message` is `av_strerror`'s text.
    case ffmpeg(path: String, operation: String, code: Int32, message: String)
    /// The file is damaged: truncated, corrupt packets, or no frames could be decoded.
    case corrupt(path: String, reason: String)
    /// A requested frame index or time lies outside the video.
    case outOfRange(path: String, what: String)
    /// An argument the caller passed is invalid (e.g. a zero-sized resize).
    case invalidArgument(String)
    /// The calling task was cancelled while reading `path`.
    case cancelled(path: String)
    /// `ReaderOptions.deadline` passed while reading `path`; `seconds` is how long the reader had run.
    case timedOut(path: String, seconds: Double)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): return "\(path): cannot open: \(reason)"
        case .noVideoStream(let path): return "\(path): no video stream"
        case .unsupportedCodec(let path, let codec): return "\(path): unsupported codec \(codec)"
        case .ffmpeg(let path, let operation, let code, let message):
            return "\(path): \(operation) failed: \(message) (\(code))"
        case .corrupt(let path, let reason): return "\(path): corrupt or truncated: \(reason)"
        case .outOfRange(let path, let what): return "\(path): \(what) out of range"
        case .invalidArgument(let why): return "invalid argument: \(why)"
        case .cancelled(let path): return "\(path): cancelled"
        case .timedOut(let path, let seconds):
            return "\(path): deadline passed after \((seconds * 1000).rounded() / 1000) s"
        }
    }
}

/// `av_strerror`'s text for an FFmpeg return code.
func ffmpegErrorText(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    CFFmpeg_strerror(code, &buffer, buffer.count)
    return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Throws `MediaError.ffmpeg` when an FFmpeg call returned a negative code; returns the code otherwise.
@discardableResult
func check(_ code: Int32, _ operation: @autoclosure () -> String, path: String) throws -> Int32 {
    if code < 0 {
        throw MediaError.ffmpeg(path: path, operation: operation(), code: code, message: ffmpegErrorText(code))
    }
    return code
}
