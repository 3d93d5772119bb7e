import ArgumentParser
import Foundation
import VidiMedia

struct FramesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frames",
        abstract: "Write chosen frames of a video as PNG, JPEG or .npy images.",
        discussion: """
            Files are named frame-<index>.<ext>, where index is the frame's display-order position from 0 \
            (what `vidi probe` counts), zero-padded to 6 digits so a listing sorts in display order: \
            frame-000040.png is the 41st frame shown (--unpadded-names gives the older frame-40.png). Rotation metadata is \
            applied. Pick frames with one of --indices, --every, --fps or --uniform (default: every frame). \
            Frames are decoded with exact seeking; each group of pictures is decoded once.

            Examples:
              vidi frames clip.mp4 --out frames/ --indices 0,5,9
              vidi frames clip.mp4 --out thumbs/ --uniform 8 --short-side 224 --format jpg
              vidi frames clip.mp4 --out arrays/ --fps 2 --format npy
              vidi frames a.mp4 b.mp4 --out out/ --every 30

            npy files hold uint8 arrays of shape (H, W, 3), RGB. Several files write into one folder per \
            file, named after it (out/a/frame-000000.png, out/b/frame-000000.png). A file that fails prints \
            one line on stderr and the exit status is 1; the other files are still processed.
            """
    )

    @Argument(help: "Video files.")
    var files: [String]

    @Option(name: .long, help: ArgumentHelp("Output folder (created if missing).", valueName: "DIR"))
    var out: String

    @OptionGroup var selection: FrameSelectionOptions
    @OptionGroup var resize: ResizeOptions
    @OptionGroup var image: ImageFormatOptions

    @Flag(name: .long, help: "Name files frame-<index> without zero padding (frame-40.png), as before.")
    var unpaddedNames = false

    func run() throws {
        let writer = try image.writer()
        let output = FrameOutput(size: try resize.outputSize())
        let folders = MediaCommand.outputFolders(for: files, in: out)
        try MediaCommand.forEachFile(files) { file, position in
            let folder = folders[position]
            let reader = try VideoReader(path: file)
            let indices = try selection.indices(for: reader.info)
            try FrameFiles.write(indices, of: reader, output, as: writer, in: folder,
                                 naming: unpaddedNames ? .plain : .zeroPadded)
            MediaCommand.reportWarnings(of: reader)
        }
    }
}

/// `--indices`, `--every`, `--fps`, `--uniform`: which display-order frames to take.
struct FrameSelectionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Comma-separated display-order indices, e.g. 0,5,9.", valueName: "LIST"))
    var indices: String?

    @Option(name: .long, help: ArgumentHelp("Every N-th frame: 0, N, 2N, ...", valueName: "N"))
    var every: Int?

    @Option(name: .long, help: ArgumentHelp("F frames per second of video, by timestamp (works on variable frame rate).",
                                            valueName: "F"))
    var fps: Double?

    @Option(name: .long, help: ArgumentHelp("K frames spread evenly: the middle frame of each of K equal segments.", valueName: "K"))
    var uniform: Int?

    func validate() throws {
        let given = [indices != nil, every != nil, fps != nil, uniform != nil].filter { $0 }.count
        if given > 1 { throw ValidationError("Give at most one of --indices, --every, --fps, --uniform.") }
        if let every, every <= 0 { throw ValidationError("--every must be positive, got \(every).") }
        if let uniform, uniform <= 0 { throw ValidationError("--uniform must be positive, got \(uniform).") }
        if let fps, !(fps > 0 && fps.isFinite) { throw ValidationError("--fps must be positive, got \(fps).") }
        if indices != nil { _ = try parsedIndices() }
    }

    func parsedIndices() throws -> [Int] {
        guard let indices else { return [] }
        return try indices.split(separator: ",").map { part in
            let text = part.trimmingCharacters(in: .whitespaces)
            guard let index = Int(text), index >= 0 else {
                throw ValidationError("--indices takes non-negative integers separated by commas, got '\(text)'.")
            }
            return index
        }
    }

    /// The chosen indices for one video, ascending and without repeats. Indices past the end are an
    /// error for that file (the reader names it).
    func indices(for info: VideoInfo) throws -> [Int] {
        let chosen: [Int]
        if indices != nil {
            chosen = try parsedIndices()
            if let bad = chosen.first(where: { $0 >= info.frameCount }) {
                throw MediaError.outOfRange(path: info.path, what: "frame index \(bad) (the video has \(info.frameCount) frames)")
            }
        } else if let every {
            chosen = try FrameSampler.every(step: every).indices(for: info)
        } else if let fps {
            chosen = try FrameSampler.fps(fps).indices(for: info)
        } else if let uniform {
            chosen = try FrameSampler.uniform(count: uniform).indices(for: info)
        } else {
            chosen = Array(0..<info.frameCount)
        }
        return Array(Set(chosen)).sorted()
    }
}

/// How frame files are named: `frame-000040.png` (zero-padded to 6 digits, sorts in display order) or
/// `frame-40.png`.
enum FrameNaming {
    case zeroPadded, plain

    func name(_ index: Int, extension ext: String) -> String {
        switch self {
        case .plain: return "frame-\(index).\(ext)"
        case .zeroPadded:
            let digits = String(index)
            return "frame-\(String(repeating: "0", count: max(0, 6 - digits.count)))\(digits).\(ext)"
        }
    }
}

/// Naming and writing of frame images: `frame-<display index>.<ext>`.
enum FrameFiles {
    /// Decodes `indices` (ascending) and writes each as an image in `folder` (created if missing).
    static func write(_ indices: [Int], of reader: VideoReader, _ output: FrameOutput, as writer: ImageWriter,
                      in folder: String, naming: FrameNaming = .plain) throws {
        try MediaCommand.makeDirectory(folder, for: reader.path)
        let progress = FileProgress(label: reader.path, total: indices.count)
        defer { progress.finish() }
        var done = 0
        let save = { (frame: Frame) throws in
            try write(frame, as: writer, in: folder, naming: naming)
            done += 1
            progress.update(done)
        }
        if indices.count * 8 >= reader.info.frameCount {
            // Dense selection: one sequential pass costs less than seeking, and holds one frame at a time.
            var wanted = Set(indices)
            try reader.forEachFrame(output, motion: false) { decoded in
                guard wanted.remove(decoded.index) != nil, let image = decoded.image else { return }
                try save(image)
            }
            if let missing = wanted.min() {
                throw MediaError.corrupt(path: reader.path, reason: "frame \(missing) could not be decoded")
            }
        } else {
            for batch in batches(indices, keyframes: reader.info.keyframeIndices) {
                for frame in try reader.frames(at: batch, output) { try save(frame) }
            }
        }
    }

    /// Splits ascending indices into batches of at most 32 frames that do not cross a keyframe, so memory
    /// stays bounded and no group of pictures is decoded twice (the reader decodes each GOP once per call).
    static func batches(_ indices: [Int], keyframes: [Int]) -> [[Int]] {
        var result: [[Int]] = []
        var current: [Int] = []
        var nextKeyframe = keyframes.makeIterator()
        var boundary = nextKeyframe.next()
        for index in indices {
            var crossed = false
            while let b = boundary, index >= b {
                crossed = true
                boundary = nextKeyframe.next()
            }
            if !current.isEmpty && (crossed || current.count == 32) {
                result.append(current)
                current = []
            }
            current.append(index)
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    static func write(_ frame: Frame, as writer: ImageWriter, in folder: String, naming: FrameNaming = .plain) throws {
        guard let rgb = frame.rgb else {
            throw MediaError.invalidArgument("frame \(frame.index) was not decoded as RGB bytes")
        }
        let path = (folder as NSString).appendingPathComponent(naming.name(frame.index, extension: writer.fileExtension))
        try writer.write(rgb: rgb, width: frame.width, height: frame.height, to: path)
    }
}
