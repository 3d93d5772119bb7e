import ArgumentParser
import Foundation
import VidiMedia

/// What the media commands share: per-file error reporting, output folders, stdout lines, FFmpeg's log.
enum MediaCommand {
    /// Runs `body` for each file (with its position in `files`), printing one stderr line per failure;
    /// throws `ExitCode(1)` at the end when any file failed, so the other files are still processed.
    static func forEachFile(_ files: [String], _ body: (_ file: String, _ position: Int) throws -> Void) throws {
        var failures = 0
        for (position, file) in files.enumerated() {
            do {
                try body(file, position)
            } catch {
                failures += 1
                reportFailure(file: file, error)
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    /// `vidi: FILE: reason` on one line. Library errors already start with the path; others get it added.
    static func reportFailure(file: String, _ error: Error) {
        var text = String(describing: error)
        if !text.hasPrefix(file) { text = "\(file): \(text)" }
        text = text.replacingOccurrences(of: "\n", with: " ")
        FileHandle.standardError.write(Data("vidi: \(text)\n".utf8))
    }

    /// The reader's non-fatal problems (damaged packets, an early end), at most three lines, each
    /// `vidi: warning: FILE: ...`. The file still counts as done.
    static func reportWarnings(of reader: VideoReader) {
        let warnings = reader.warnings
        var lines = warnings.prefix(3).map { "vidi: warning: \($0)" }
        if warnings.count > 3 { lines.append("vidi: warning: \(reader.path): \(warnings.count - 3) more warnings") }
        for line in lines { FileHandle.standardError.write(Data((line.replacingOccurrences(of: "\n", with: " ") + "\n").utf8)) }
    }

    /// Where one file's outputs go: `dir` itself for a single input, `dir/<file stem>` for several
    /// (a stem seen before gets `-2`, `-3`, ... so two `clip.mp4` in different folders do not collide).
    static func outputFolders(for files: [String], in dir: String) -> [String] {
        guard files.count > 1 else { return files.map { _ in dir } }
        var seen: [String: Int] = [:]
        return files.map { file in
            let stem = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
            let count = (seen[stem] ?? 0) + 1
            seen[stem] = count
            return (dir as NSString).appendingPathComponent(count == 1 ? stem : "\(stem)-\(count)")
        }
    }

    /// Creates `path` and its parents; a failure names the folder and the file being processed.
    static func makeDirectory(_ path: String, for file: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw MediaError.cannotOpen(path: file, reason: "cannot create output folder \(path): \(reason(error))")
        }
    }

    /// Writes text to a file, naming it on failure.
    static func writeText(_ text: String, to path: String) throws {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw MediaError.cannotOpen(path: path, reason: "cannot write: \(reason(error))")
        }
    }

    /// A short reason from a Foundation error (the POSIX text when there is one).
    static func reason(_ error: Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let posix = underlying, posix.domain == NSPOSIXErrorDomain, let code = POSIXErrorCode(rawValue: Int32(posix.code)) {
            return String(cString: strerror(code.rawValue))
        }
        return (error as NSError).localizedDescription
    }

    /// One line on stdout.
    static func printLine(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func jsonLine<T: Encodable>(_ value: T) throws -> String { try JSONOutput.line(value) }
}

/// `--size WxH` / `--short-side S`, shared by the commands that write images.
struct ResizeOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Resize every frame to exactly WIDTHxHEIGHT (aspect ratio not kept).",
                                            valueName: "WxH"))
    var size: String?

    @Option(name: .customLong("short-side"),
            help: ArgumentHelp("Resize so the shorter side is S pixels and the longer int(S x long / short), as torchvision's Resize(S).",
                               valueName: "S"))
    var shortSide: Int?

    @Option(name: .long, help: ArgumentHelp("Resampling filter for --size and --short-side, antialiased on downscale as torchvision's antialias=True: bilinear (torchvision's default), bicubic or area.",
                                            valueName: "bilinear|bicubic|area"))
    var filter: String = "bilinear"

    func validate() throws {
        if size != nil && shortSide != nil { throw ValidationError("Give either --size or --short-side, not both.") }
        if let shortSide, shortSide <= 0 { throw ValidationError("--short-side must be positive, got \(shortSide).") }
        _ = try resize()
        _ = try resamplingFilter()
    }

    func resize() throws -> ModelInputRequest.Resize {
        if let shortSide { return .shorterSide(shortSide) }
        guard let size else { return .none }
        let parts = size.lowercased().split(separator: "x")
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]), width > 0, height > 0 else {
            throw ValidationError("--size must look like 320x240, got '\(size)'.")
        }
        return .fixed(width: width, height: height)
    }

    func resamplingFilter() throws -> ModelInputRequest.Filter {
        switch filter {
        case "bilinear": return .bilinear
        case "bicubic": return .bicubic
        case "area": return .area
        default: throw ValidationError("--filter must be bilinear, bicubic or area, got '\(filter)'.")
        }
    }

    /// `frames` at this size as H x W x 3 bytes, one frame at a time (VidiMedia's model-input path).
    func request(_ frames: FrameSampler) throws -> ModelInputRequest {
        ModelInputRequest(frames: frames, resize: try resize(), layout: .hwcBytes, filter: try resamplingFilter())
    }
}

/// `--unpadded-names`: how the commands that write one file per frame name it.
struct FrameNamingOptions: ParsableArguments {
    @Flag(name: .long, help: "Name files <kind>-<index> without zero padding (frame-40.png, mvs-40.npy), as before.")
    var unpaddedNames = false

    var naming: FrameNaming { unpaddedNames ? .plain : .zeroPadded }
}

/// How per-frame files are named: `frame-000040.png` (display index zero-padded to 6 digits, so a listing
/// sorts in display order) or `frame-40.png`.
enum FrameNaming {
    case zeroPadded, plain

    func name(_ kind: String, _ index: Int, extension ext: String) -> String {
        switch self {
        case .plain: return "\(kind)-\(index).\(ext)"
        case .zeroPadded:
            let digits = String(index)
            return "\(kind)-\(String(repeating: "0", count: max(0, 6 - digits.count)))\(digits).\(ext)"
        }
    }
}

/// `--format png|jpg|npy` and `--quality`, shared by the commands that write frames.
struct ImageFormatOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Image format: png (lossless), jpg, or npy (uint8 array H x W x 3, RGB).",
                                            valueName: "png|jpg|npy"))
    var format: String = "png"

    @Option(name: .long, help: "JPEG quality, 1 (smallest) to 100 (best).")
    var quality: Int = 90

    func validate() throws {
        _ = try writer()
    }

    func writer() throws -> ImageWriter {
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be 1...100, got \(quality).") }
        guard let writer = ImageWriter(formatName: format, jpegQuality: quality) else {
            throw ValidationError("--format must be png, jpg or npy, got '\(format)'.")
        }
        return writer
    }
}

/// A one-line progress display on stderr, only when stderr is a terminal; redrawn at most 10 times a second.
final class FileProgress {
    private let label: String
    /// nil when the count is not known in advance (keyframes found while decoding).
    private let total: Int?
    private let enabled = isatty(STDERR_FILENO) == 1
    private var lastDraw = ContinuousClock.now - .seconds(1)
    private var drawn = false

    init(label: String, total: Int?) {
        self.label = label
        self.total = total
    }

    func update(_ done: Int) {
        guard enabled else { return }
        let now = ContinuousClock.now
        guard now - lastDraw >= .milliseconds(100) || done == total else { return }
        lastDraw = now
        drawn = true
        let text: String
        if let total {
            text = "\(label): \(done)/\(total) (\(total > 0 ? done * 100 / total : 0)%)"
        } else {
            text = "\(label): \(done)"
        }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
    }

    /// Clears the line so later output starts clean.
    func finish() {
        guard enabled, drawn else { return }
        drawn = false
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
