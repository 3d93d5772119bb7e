import ArgumentParser
import Foundation
import VidiMedia

struct BenchDecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode a whole video and report frames, seconds and frames per second.",
        discussion: """
            The clock covers everything a user pays for: opening the file (including the packet-index \
            scan), decoding every frame, and, when asked, exporting motion vectors or converting to RGB. \
            Nothing is written. Tools/bench/media-bench.sh runs this next to the C floor, ffmpeg, PyAV \
            and decord on the same inputs.

            Examples:
              vidi bench decode clip.mp4
              vidi bench decode clip.mp4 --motion --threads 1 --json
              vidi bench decode clip.mp4 --rgb
              vidi bench decode clip.mp4 --keyframes

            --json prints one object per file per line: path, mode, frames, seconds, fps, cpu_seconds \
            (user + system CPU time over the same span, steadier than wall time on a busy machine), threads.
            """
    )

    @Argument(help: "Video files.")
    var files: [String]

    @Flag(name: .long, help: "Export motion vectors from every frame (flags2 +export_mvs) and read them.")
    var motion = false

    @Flag(name: .long, help: "Convert every frame to RGB bytes (H x W x 3).")
    var rgb = false

    @Flag(name: .long, help: "Decode keyframes only, as `vidi keyframes` does (always converted to RGB).")
    var keyframes = false

    @Option(name: .long, help: "Decoder threads; 1 = single-threaded, 0 = one per core.")
    var threads: Int = 1

    @Flag(name: .long, help: "One JSON object per file per line.")
    var json = false

    func validate() throws {
        if threads < 0 { throw ValidationError("--threads must be >= 0, got \(threads).") }
        if keyframes && motion { throw ValidationError("--keyframes decodes I-frames only, which have no motion vectors.") }
    }

    struct Result: Encodable {
        var path: String
        var mode: String
        var frames: Int
        var seconds: Double
        var fps: Double
        /// CPU time (user + system, all threads) over the same span: steadier than wall time on a busy machine.
        var cpuSeconds: Double
        var threads: Int
    }

    func run() throws {
        let mode = keyframes ? "keyframes"
            : [motion ? "motion" : nil, rgb ? "rgb" : nil].compactMap { $0 }.joined(separator: "+")
        try MediaCommand.forEachFile(files) { file, _ in
            let clock = ContinuousClock()
            let cpuStart = processCPUSeconds()
            var frames = 0
            let elapsed = try clock.measure {
                // Keyframes as `vidi keyframes` reads them: no index scan at open.
                let reader = try VideoReader(path: file, options: ReaderOptions(threads: threads, exportMotionVectors: motion,
                                                                                indexAtOpen: !keyframes))
                let output: FrameOutput? = rgb ? FrameOutput() : nil
                if keyframes {
                    try reader.forEachModelInputFrame(ModelInputRequest(frames: .keyframes, layout: .hwcBytes)) { _ in frames += 1 }
                } else {
                    let progress = FileProgress(label: file, total: reader.info.frameCount)
                    defer { progress.finish() }
                    try reader.forEachFrame(output, motion: motion) { _ in
                        frames += 1
                        progress.update(frames)
                    }
                }
            }
            let cpuSeconds = processCPUSeconds() - cpuStart
            let seconds = elapsed.seconds
            let result = Result(path: file, mode: mode.isEmpty ? "decode" : mode, frames: frames, seconds: seconds,
                                fps: seconds > 0 ? Double(frames) / seconds : 0, cpuSeconds: cpuSeconds, threads: threads)
            if json {
                MediaCommand.printLine(try MediaCommand.jsonLine(result))
            } else {
                MediaCommand.printLine("\(file): \(frames) frames in \(String(format: "%.3f", seconds)) s = "
                                       + "\(String(format: "%.1f", result.fps)) fps, \(String(format: "%.3f", cpuSeconds)) s CPU "
                                       + "(\(result.mode), threads \(threads))")
            }
        }
    }
}
