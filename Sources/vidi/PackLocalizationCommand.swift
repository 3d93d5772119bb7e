import ArgumentParser
import Foundation
import VidiLocalization

/// `vidi pack localization`: `.npy` features + ActivityNet annotations -> grid-resampled WebDataset shards.
struct PackLocalizationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "localization",
        abstract: "Pack T x C feature .npy files and ActivityNet annotations into shards for `vidi train localize`.",
        discussion: """
            Each video is resampled to --grid steps (the model's grid) and written as one sample: \
            features.npy ([C, grid] float32) and json (id, duration, scale, feature grid, classes, ground \
            truth in grid units and in seconds). Writes <out>/training-NNNNNN.tar and \
            <out>/validation-NNNNNN.tar; the class list is the training subset's, in every sample.

            Example:
              vidi synth localization --out data/synth
              vidi pack localization --features data/synth/features --gt data/synth/annotations.json --out data/shards
              vidi train localize --shards 'data/shards/training-{000000..000005}.tar' \\
                  --val-shards 'data/shards/validation-{000000..000001}.tar' --steps 600 --out rcl.safetensors
            """
    )

    @Option(help: "Folder of <video id>.npy feature files (T x C float32).") var features: String
    @Option(help: "ActivityNet-style annotations.") var gt: String
    @Option(help: "Grid length every video is resampled to (the model's temporal grid).") var grid = 64
    @Option(help: "Feature stride in frames.") var stride: Double = 1
    @Option(help: "Feature window in frames.") var window: Double = 1
    @Option(help: "Frames per second of the feature grid.") var fps: Double = 1
    @Option(name: .customLong("per-shard"), help: "Videos per shard.") var perShard = 100
    @Option(help: "Output folder.") var out: String

    func run() throws {
        guard grid >= 1, perShard >= 1 else { throw ValidationError("--grid and --per-shard must be at least 1") }
        do {
            let featureGrid = try FeatureGrid(stride: stride, window: window, fps: fps)
            let truth = try GroundTruthFile.read(path: gt)
            let train = try FeatureDataset(groundTruth: truth, subset: "training", folder: features)
            guard !train.items.isEmpty else { throw ValidationError("no 'training' videos in \(gt)") }
            let classes = train.classes
            for (subset, dataset) in [("training", train), ("validation", try FeatureDataset(groundTruth: truth, subset: "validation", folder: features))]
            where !dataset.items.isEmpty {
                let paths = try LocalizationShards.write(dataset, subset: subset, classes: classes, gridLength: grid, grid: featureGrid,
                                                         perShard: perShard, directory: out, prefix: subset)
                let pattern = paths.count == 1 ? paths[0] : "\(out)/\(subset)-{000000..\(String(format: "%06d", paths.count - 1))}.tar"
                print("\(subset): \(dataset.items.count) videos in \(paths.count) shard(s): \(pattern)")
            }
        } catch let error as ValidationError { throw error } catch { EvalOutput.fail(error) }
    }
}
