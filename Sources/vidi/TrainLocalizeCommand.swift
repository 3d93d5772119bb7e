import ArgumentParser
import Foundation
import VidiLocalization
import VidiMedia
import VidiTensor

/// `vidi train localize`: train RCL (continuous anchors) or the BMN baseline on `.npy` features.
struct TrainLocalizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "localize",
        abstract: "Train a temporal action localizer (RCL continuous anchors, or the BMN baseline) on T x C features.",
        discussion: """
            Example:
              vidi synth localization --out data/synth
              vidi train localize --features data/synth/features --gt data/synth/annotations.json \\
                  --head rcl --steps 600 --out rcl.safetensors
            Validation mAP (tIoU 0.3:0.1:0.7) is logged every --validate-every steps when the annotations \
            have a validation subset.
            """
    )

    @Option(help: "Folder of <video id>.npy feature files (T x C float32).") var features: String
    @Option(help: "ActivityNet-style annotations.") var gt: String
    @Option(help: "Head: rcl (continuous anchors) or bmn (discrete boundary-matching map).") var head = "rcl"
    @Option(help: "Training steps.") var steps = 600
    @Option(help: "Videos per step.") var batch = 8
    @Option(help: "Adam learning rate.") var learningRate: Float = 1e-3
    @Option(help: "RCL refinement iterations.") var refine = 2
    @Option(help: "RCL query sampling: scale-invariant or uniform (the ablation).") var sampling = "scale-invariant"
    @Option(help: "RCL training queries per video.") var queries = 96
    @Option(help: "Grid length every video is resampled to.") var grid = 64
    @Option(help: "Feature stride in frames.") var stride: Double = 1
    @Option(help: "Feature window in frames.") var window: Double = 1
    @Option(help: "Frames per second of the feature grid.") var fps: Double = 1
    @Option(help: "Validate every N steps (0: only at the end).") var validateEvery = 200
    @Option(help: "Seed.") var seed: UInt64 = 1
    @Option(help: "Output checkpoint (.safetensors).") var out: String

    func run() throws {
        do {
            guard steps >= 1, batch >= 1, queries >= 1, refine >= 0 else { throw ValidationError("--steps, --batch and --queries must be at least 1, --refine at least 0") }
            guard let kind = LocalizerConfiguration.Head(rawValue: head) else { throw ValidationError("--head must be rcl or bmn") }
            guard ["scale-invariant", "uniform"].contains(sampling) else { throw ValidationError("--sampling must be scale-invariant or uniform") }
            let featureGrid = try FeatureGrid(stride: stride, window: window, fps: fps)
            let truth = try GroundTruthFile.read(path: gt)
            let train = try FeatureDataset(groundTruth: truth, subset: "training", folder: features)
            guard !train.items.isEmpty else { throw ValidationError("no 'training' videos in \(gt)") }
            var c = LocalizerConfiguration(head: kind, inputChannels: train.items[0].features.shape[1], classes: train.classes)
            c.gridLength = grid; c.maxDuration = grid; c.refinementSteps = refine
            let model = try LocalizationModel(c, seed: seed)
            let trainer = try LocalizationTrainer(model: model, learningRate: learningRate, seed: seed &+ 1)
            trainer.scaleInvariantSampling = sampling == "scale-invariant"
            trainer.queriesPerVideo = queries
            let videos = try train.gridVideos(c, grid: featureGrid)
            let validation = try FeatureDataset(groundTruth: truth, subset: "validation", folder: features)
            var order: [Int] = []
            var generator = RandomGenerator(seed: seed &+ 2)
            let clock = ContinuousClock(), start = clock.now
            var running: Float = 0
            for step in 1...steps {
                if order.count < batch { order += generator.permutation(videos.count) }
                let picked = order.prefix(batch).map { videos[$0] }
                order.removeFirst(Swift.min(batch, order.count))
                let loss = try trainer.step(Array(picked))
                running = step == 1 ? loss : 0.95 * running + 0.05 * loss
                if step % 50 == 0 || step == steps {
                    print(String(format: "step %d/%d loss %.4f (%.1f s)", step, steps, running, (clock.now - start).seconds))
                }
                if !validation.items.isEmpty && ((validateEvery > 0 && step % validateEvery == 0) || step == steps) {
                    let mAP = try LocalizeRunner.validationMAP(model: model, dataset: validation, truth: truth, grid: featureGrid)
                    print(String(format: "step %d validation mAP@0.3:0.7 %.2f%%", step, 100 * mAP))
                }
            }
            try Localizer(model: model).save(to: out)
            print(String(format: "trained %@ head in %.1f s; wrote %@", head, (clock.now - start).seconds, out))
        } catch let error as ValidationError { throw error } catch { EvalOutput.fail(error) }
    }
}

