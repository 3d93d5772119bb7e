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
            Frames are decoded with exact seeking; each group of pictures is decoded once, one frame held at a time.

            Without --size or --short-side the pixels are the ffmpeg CLI's (-pix_fmt rgb24). With them, frames are \
            resized as torchvision's Resize does (antialiased, --filter), in the decoder's YUV planes before \
            the colour conversion: the same pixels `VideoReader.modelInput` gives a model.

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

    @OptionGroup var naming: FrameNamingOptions

    func run() throws {
        let writer = try image.writer()
        let folders = MediaCommand.outputFolders(for: files, in: out)
        try MediaCommand.forEachFile(files) { file, position in
            let reader = try VideoReader(path: file)
            let indices = try selection.indices(for: reader.info)
            try FrameFiles.write(try resize.request(.clips([indices])), count: indices.count, of: reader, as: writer,
                                 in: folders[position], naming: naming.naming)
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

/// Writing frame images: `frame-<display index>.<ext>`.
enum FrameFiles {
    /// Decodes the frames `request` (`.hwcBytes`) asks for, one at a time in display order, and writes each
    /// as an image in `folder` (created if missing). `count` is for the progress line (nil: not known
    /// before the frames come).
    static func write(_ request: ModelInputRequest, count: Int?, of reader: VideoReader, as writer: ImageWriter,
                      in folder: String, naming: FrameNaming) throws {
        try MediaCommand.makeDirectory(folder, for: reader.path)
        guard count != 0 else { return }
        let progress = FileProgress(label: reader.path, total: count)
        defer { progress.finish() }
        var done = 0
        try reader.forEachModelInputFrame(request) { frame in
            try write(frame, as: writer, in: folder, naming: naming)
            done += 1
            progress.update(done)
        }
    }

    static func write(_ frame: Frame, as writer: ImageWriter, in folder: String, naming: FrameNaming) throws {
        guard let rgb = frame.rgb else {
            throw MediaError.invalidArgument("frame \(frame.index) was not decoded as RGB bytes")
        }
        let path = (folder as NSString).appendingPathComponent(naming.name("frame", frame.index, extension: writer.fileExtension))
        try writer.write(rgb: rgb, width: frame.width, height: frame.height, to: path)
    }
}
