import ArgumentParser
import Foundation
import VidiLocalization

/// `vidi synth localization`: feature sequences with planted actions + ActivityNet-style annotations.
struct SynthLocalizationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "localization",
        abstract: "Write T x C feature .npy files with planted action segments and an ActivityNet-style annotations.json.",
        discussion: """
            Durations are log-uniform from 1% to 80% of each video; videos have 96-384 snippets (one per \
            second: stride = window = fps = 1); noise, background drift and distractor patterns are added. \
            The same seed writes the same bytes.

            Example:
              vidi synth localization --out data/synth --train 600 --validation 200
              # -> data/synth/features/<id>.npy, data/synth/annotations.json
            """
    )

    @Option(help: "Output folder.") var out: String
    @Option(help: "Training videos.") var train = 600
    @Option(help: "Validation (held-out) videos.") var validation = 200
    @Option(help: "Action classes.") var classes = 4
    @Option(help: "Feature channels.") var channels = 16
    @Option(help: "Noise standard deviation.") var noise: Float = 0.5
    @Option(help: "Seed.") var seed: UInt64 = 7

    func run() throws {
        var c = SyntheticBenchmark.Configuration()
        c.classes = classes; c.channels = channels; c.noise = noise; c.seed = seed
        do {
            let bench = try SyntheticBenchmark(c)
            let videos = bench.videos(0..<train, subset: "training") + bench.videos(train..<(train + validation), subset: "validation")
            try SyntheticBenchmark.write(videos, to: out)
            print("wrote \(videos.count) videos (\(train) training, \(validation) validation) to \(out)")
        } catch { EvalOutput.fail(error) }
    }
}
