import ArgumentParser
import Foundation
import VidiMedia

struct KeyframesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keyframes",
        abstract: "Write only the keyframes (I-frames that start a group of pictures) as images.",
        discussion: """
            One pass reads the packets and decodes only the keyframes, so no P- or B-frame is decoded: on long groups of \
            pictures this is many times faster than decoding the video. Files are named by display-order \
            index zero-padded to 6 digits (frame-000000.png, frame-000250.png, ...; --unpadded-names gives \
            frame-250.png), the same numbers `vidi probe` lists as keyframe_indices, even on open-GOP files \
            where decode order differs. --size and --short-side resize as `vidi frames` does.

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
    @OptionGroup var naming: FrameNamingOptions

    func run() throws {
        let writer = try image.writer()
        let folders = MediaCommand.outputFolders(for: files, in: out)
        try MediaCommand.forEachFile(files) { file, position in
            // No index scan at open: one pass over the packets decodes only the keyframes, one held at a time.
            let reader = try VideoReader(path: file, options: ReaderOptions(indexAtOpen: false))
            try FrameFiles.write(try resize.request(.keyframes), count: nil, of: reader,
                                 as: writer, in: folders[position], naming: naming.naming)
            MediaCommand.reportWarnings(of: reader)
        }
    }
}
