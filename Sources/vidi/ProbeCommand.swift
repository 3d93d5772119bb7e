import ArgumentParser
import Foundation
import VidiMedia

struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Print a video's metadata: size, rotation, codec, exact frame count, keyframes, timestamps.",
        discussion: """
            Frame counts, keyframe indices and timestamps come from a scan of every packet, not from the \
            container header (which is often wrong). Indices are display order, from 0. `rotation` is the \
            clockwise angle that turns the stored picture into the displayed one.

            Examples:
              vidi probe clip.mp4
              vidi probe --json videos/*.mp4 > info.jsonl
              vidi probe --json clip.mp4 | jq .keyframe_indices

            With --json each file gives one JSON object on one line, snake_case keys: path, container, \
            codec, pix_fmt, width, height, display_width, display_height, rotation, fps, \
            average_frame_rate, time_base, duration, end_time, bit_rate, frame_count, keyframe_indices, \
            has_b_frames, frame_timestamps, stream_index. A file that cannot be read prints one line \
            on stderr (`vidi: FILE: reason`) and the exit status is 1; the other files are still probed.
            """
    )

    @Argument(help: "Video files (or any URL FFmpeg opens).")
    var files: [String]

    @Flag(name: .long, help: "One JSON object per file per line instead of text.")
    var json = false

    func run() throws {
        try MediaCommand.forEachFile(files) { file, _ in
            let reader = try VideoReader(path: file)
            MediaCommand.printLine(json ? try MediaCommand.jsonLine(ProbeRecord(reader.info)) : Self.text(reader.info))
            MediaCommand.reportWarnings(of: reader)
        }
    }

    static func text(_ info: VideoInfo) -> String {
        let keyframes = info.keyframeIndices.count <= 12
            ? info.keyframeIndices.map(String.init).joined(separator: ", ")
            : info.keyframeIndices.prefix(12).map(String.init).joined(separator: ", ") + ", ..."
        return """
            \(info.path)
              \(info.codec) \(info.pixelFormat), \(info.width)x\(info.height)\
            \(info.rotation != 0 ? " rotated \(info.rotation)° -> \(info.displayWidth)x\(info.displayHeight)" : ""), \
            container \(info.container)
              \(info.frameCount) frames, \(String(format: "%.3f", info.averageFrameRate)) fps, \
            \(String(format: "%.3f", info.duration)) s, \(info.bitRate / 1000) kb/s\(info.hasBFrames ? ", B-frames" : "")
              \(info.keyframeIndices.count) keyframes: [\(keyframes)]
            """
    }
}

/// `VideoInfo` plus the short names people grep for (`fps`, `pix_fmt`) and the displayed size.
struct ProbeRecord: Encodable {
    let info: VideoInfo

    init(_ info: VideoInfo) { self.info = info }

    private enum ExtraKeys: String, CodingKey {
        case fps, pixFmt, displayWidth, displayHeight
    }

    func encode(to encoder: Encoder) throws {
        try info.encode(to: encoder)
        var extra = encoder.container(keyedBy: ExtraKeys.self)
        try extra.encode(info.averageFrameRate, forKey: .fps)
        try extra.encode(info.pixelFormat, forKey: .pixFmt)
        try extra.encode(info.displayWidth, forKey: .displayWidth)
        try extra.encode(info.displayHeight, forKey: .displayHeight)
    }
}
