import ArgumentParser
import Foundation
import VidiMedia
import VidiRetrieval

/// `vidi synth-clips`: seeded synthetic captioned clips (MP4 + MSR-VTT JSON).
struct SynthClipsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth-clips",
        abstract: "Write seeded synthetic captioned clips (\"a red striped square moves to the left\") as MP4s + captions.json.",
        discussion: "The same seed gives the same clips. captions.json is in MSR-VTT's layout (videos, sentences).")

    @Option(help: "Output directory.")
    var out: String
    @Option(help: "Number of clips.")
    var count = 100
    @Option(help: "Seed.")
    var seed: UInt64 = 1
    @Option(help: "Frames per clip (written at 1 fps).")
    var frames = 12
    @Option(help: "Picture size in pixels.")
    var size = 64

    func run() throws {
        try RetrievalCommand.run("synth-clips") {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            var pairs: [(String, String)] = []
            for k in 0..<count {
                let clip = SyntheticClips.clip(seed: seed, index: k, frames: frames, size: size)
                let id = String(format: "clip%05d", k)
                let writer = try VideoWriter(path: (out as NSString).appendingPathComponent("\(id).mp4"), width: size, height: size,
                                             options: .init(fps: 1, crf: 18, preset: "veryfast", threads: 1))
                for frame in clip.frames { try writer.append(rgb: frame) }
                try writer.finish()
                pairs.append((id, clip.caption))
            }
            try CaptionedVideos.write(pairs, to: (out as NSString).appendingPathComponent("captions.json"))
            MediaCommand.printLine("\(out): \(count) clips, captions.json")
        }
    }
}
