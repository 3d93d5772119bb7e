import ArgumentParser
import Foundation
import VidiMedia

struct KeyframesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keyframes",
        abstract: "Write only the keyframes (I-frames that start a group of pictures) as images.",
        discussion: """
            Keyframes come from the packet index, so no P- or B-frame is decoded: on long groups of \
            pictures this is many times faster than decoding the video. Files are named by display-order \
            index (frame-0.png, frame-250.png, ...), the same numbers `vidi probe` lists as \
            keyframe_indices, even on open-GOP files where decode order differs.

            Examples:
              vidi keyframes clip.mp4 --out keys/
              vidi keyframes clip.mp4 --out keys/ --format jpg --quality 85
              vidi keyframes videos/*.mp4 --out keys/ --format npy --short-side 256

            Several files write into one folder per file (keys/<name>/frame-<i>.npy). A file \
            that fails prints one line on stderr and the exit status is 1; the others still run.
            """
    )

    @Argument(help: "Video files.")
    var files: [String]

    @Option(name: .long, help: ArgumentHelp("Output folder (created if missing).", valueName: "DIR"))
    var out: String

    @OptionGroup var resize: ResizeOptions
    @OptionGroup var image: ImageFormatOptions

    func run() throws {
        let writer = try image.writer()
        let output = FrameOutput(size: try resize.outputSize())
        let folders = MediaCommand.outputFolders(for: files, in: out)
        try MediaCommand.forEachFile(files) { file, position in
            let reader = try VideoReader(path: file)
            let folder = folders[position]
            try MediaCommand.makeDirectory(folder, for: file)
            let progress = FileProgress(label: file, total: reader.info.keyframeIndices.count)
            defer { progress.finish() }
            var done = 0
            try Self.forEachKeyframe(of: reader, output) { frame in
                try FrameFiles.write(frame, as: writer, in: folder)
                done += 1
                progress.update(done)
            }
            progress.finish()
            MediaCommand.reportWarnings(of: reader)
        }
    }

    /// Decodes every keyframe in display order. `VideoReader.keyframes` (skip_frame NONKEY: nothing but
    /// I-frames reaches the decoder) is about twice as fast as seeking to each one, but returns them all
    /// at once, so it is used while they fit in 256 MB; beyond that, seek batches keep memory bounded.
    static func forEachKeyframe(of reader: VideoReader, _ output: FrameOutput, _ body: (Frame) throws -> Void) throws {
        let keyframes = reader.info.keyframeIndices
        let bytesPerFrame = max(reader.info.width * reader.info.height * 3, 1)
        if keyframes.count <= (256 << 20) / bytesPerFrame {
            for frame in try reader.keyframes(output) { try body(frame) }
        } else {
            for batch in FrameFiles.batches(keyframes, keyframes: keyframes) {
                for frame in try reader.frames(at: batch, output) { try body(frame) }
            }
        }
    }
}
