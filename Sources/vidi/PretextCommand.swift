import ArgumentParser
import Foundation
import VidiFormats
import VidiMedia
import VidiPretext
import VidiRandom

/// `vidi pretext mosi|hico|cmd`: one pretext sample written as `.npy` arrays and a `params.json`, for
/// inspecting what the pipeline stages (Pipelines/mosi.yaml, hico.yaml, cmd.yaml) put in shards.
struct PretextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretext",
        abstract: "Generate one self-supervised pretext sample (MoSI, HiCo, CMD) for inspection.",
        subcommands: [PretextMoSICommand.self, PretextHiCoCommand.self, PretextCMDCommand.self, PretextSynthActionsCommand.self]
    )

    /// Writes each array and `params.json` (with the seed) into `out`.
    static func write(_ sample: some PretextSampleFiles, to out: String, seed: UInt64, extra: [String: JSONValue] = [:]) throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for (name, bytes) in sample.arrays() {
            try DurableFile.write(bytes, to: (out as NSString).appendingPathComponent(name))
        }
        var parameters = sample.parameters
        if case .object(var fields) = parameters {
            fields["seed"] = .string(String(seed))
            for (key, value) in extra { fields[key] = value }
            parameters = .object(fields)
        }
        try DurableFile.write(try parameters.encoded(), to: (out as NSString).appendingPathComponent("params.json"))
        print("wrote \(sample.arrays().map(\.name).joined(separator: ", ")), params.json to \(out)")
    }
}

extension FlipMode: ExpressibleByArgument {}

struct PretextMoSICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mosi",
        abstract: "The 9 MoSI pseudo-motion clips of one image: clip-<label>.npy (16 x 112 x 112 x 3 uint8 RGB).",
        discussion: """
            Labels: 0:(-2,0) 1:(-1,0) 2:(1,0) 3:(2,0) 4:(0,-2) 5:(0,-1) 6:(0,1) 7:(0,2) 8:(0,0), the (dx, dy) speed \
            of the 112-pixel window over the standardised 320 x 320 picture (the content moves the other way). \
            --flip on mirrors every clip and keeps labels true (dx negated); random does so with p 0.5; \
            official mirrors with p 0.5 and keeps the label, as the official code does.
            """
    )

    @Option(help: ArgumentHelp("An image (or video: its first frame).", valueName: "FILE")) var image: String
    @Option(help: ArgumentHelp("Output folder.", valueName: "DIR")) var out: String
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Flag(help: "No colour jitter and no static masks.") var noAugment = false
    @Option(help: "off, on, random or official.") var flip: FlipMode = .random
    @Flag(help: "Centre the travel instead of a random start (the official test split).") var centred = false

    func run() throws {
        var configuration = MoSIConfiguration()
        if noAugment { configuration = configuration.withoutAugmentation }
        configuration.flip = flip
        configuration.randomStart = !centred
        do {
            let generator = try MoSIGenerator(configuration)
            var random = RandomGenerator(seed: seed)
            let clips = try generator.generate(try RGBPicture.load(path: image), random: &random)
            try PretextCommand.write(MoSIStack(clips: clips, generator: generator), to: out, seed: seed, extra: ["image": .string(image)])
        } catch {
            MediaCommand.reportFailure(file: image, error)
            throw ExitCode(1)
        }
    }
}

struct PretextHiCoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hico",
        abstract: "One HiCo triple of an untrimmed video: clips.npy (3 x 16 x 112 x 112 x 3 uint8) and the sampled centres.",
        discussion: """
            Clip 0 and clip 1 lie within d seconds of each other, d = d_min + (d_max - d_min) x progress \
            (gradual sampling, 0 to 1 s); clip 2 anywhere. --progress is training progress, epoch / max_epoch.
            """
    )

    @Option(help: ArgumentHelp("A video.", valueName: "FILE")) var video: String
    @Option(help: "Training progress in [0, 1] (clamped above 1).") var progress: Double
    @Option(help: ArgumentHelp("Output folder.", valueName: "DIR")) var out: String
    @Option(help: "Random seed.") var seed: UInt64 = 0

    func run() throws {
        do {
            let sampler = try HiCoSampler()
            var random = RandomGenerator(seed: seed)
            let sample = try sampler.sample(try VideoReader(path: video), progress: progress, random: &random)
            try PretextCommand.write(sample, to: out, seed: seed, extra: ["video": .string(video), "progress": .double(progress)])
        } catch {
            MediaCommand.reportFailure(file: video, error)
            throw ExitCode(1)
        }
    }
}

struct PretextCMDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cmd",
        abstract: "One CMD sample: clip.npy, motion.npy, negatives.npy, keyframe.npy and the sampled indices.",
        discussion: """
            clip: 16 frames at stride 4 (16 x 112 x 112 x 3 uint8); motion: dense motion-vector maps of the 8 \
            frames starting 2 after the clip (8 x 112 x 112 x 2 float32, dst - src clamped to [-10, 10] / 10); \
            negatives: 3 non-overlapping motion clips (3 x 8 x 112 x 112 x 2); keyframe: an I-frame within \
            +-5 frames of the clip (112 x 112 x 3). H.264 and MPEG-4 Part 2.
            """
    )

    @Option(help: ArgumentHelp("A video.", valueName: "FILE")) var video: String
    @Option(help: ArgumentHelp("Output folder.", valueName: "DIR")) var out: String
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(help: "off, on, random or official.") var flip: FlipMode = .random

    func run() throws {
        do {
            var configuration = CMDConfiguration()
            configuration.flip = flip
            let sampler = try CMDSampler(configuration)
            var random = RandomGenerator(seed: seed)
            let sample = try sampler.sample(try VideoReader(path: video), random: &random)
            try PretextCommand.write(sample, to: out, seed: seed, extra: ["video": .string(video)])
        } catch {
            MediaCommand.reportFailure(file: video, error)
            throw ExitCode(1)
        }
    }
}

struct PretextSynthActionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth-actions",
        abstract: "Write a synthetic action dataset: a textured square moving right, left, down or up (labels 0-3).",
        discussion: """
            Writes --count H.264 videos (112 x 112, 80 frames at 25 fps) to --out and labels.csv (path,label) \
            listing them, classes balanced, for `vidi run` (CSV manifest: the label column lands in each \
            sample's .json) and `vidi probe-eval --label-field label`.
            """)

    @Option(help: ArgumentHelp("Output folder.", valueName: "DIR")) var out: String
    @Option(help: "Number of videos.") var count = 40
    @Option(help: "Random seed.") var seed: UInt64 = 0

    func run() throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var random = RandomGenerator(seed: seed)
        var lines = ["path,label"]
        for i in 0..<count {
            let label = i % SyntheticActions.classes.count
            let name = String(format: "action-%04d.mp4", i)
            let writer = try VideoWriter(path: (out as NSString).appendingPathComponent(name), width: 112, height: 112,
                                         options: .init(fps: 25, crf: 18, preset: "veryfast", threads: 1))
            for frame in try SyntheticActions.frames(label: label, random: &random) { try writer.append(rgb: frame) }
            try writer.finish()
            lines.append("\(name),\(label)")
        }
        try DurableFile.write(Array((lines.joined(separator: "\n") + "\n").utf8), to: (out as NSString).appendingPathComponent("labels.csv"))
        print("wrote \(count) videos and labels.csv to \(out)")
    }
}
