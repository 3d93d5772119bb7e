import ArgumentParser
import Foundation
import VidiLocalization
import VidiMedia
import VidiTensor

/// `vidi localize`: features in, ActivityNet-style predictions out.
struct LocalizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "localize",
        abstract: "Find actions in videos' T x C features with a trained localizer; write ActivityNet-style prediction JSON.",
        discussion: """
            Examples:
              vidi localize --model rcl.safetensors --features feats/ --gt annotations.json --subset validation --out pred.json
              vidi localize --model rcl.safetensors video1.npy video2.npy --stride 4 --window 16 --fps 30 --out pred.json
            With --gt the videos of the subset are read from --features (<id>.npy) and the mAP is printed.
            Run `vidi localize --demo` to localize the bundled synthetic set with the bundled model.
            """
    )

    @Argument(help: "Feature files (.npy, T x C); the video id is the file name without extension.") var files: [String] = []
    @Option(help: "Checkpoint (.safetensors) from `vidi train localize`.") var model: String?
    @Option(help: "Folder of <video id>.npy features (with --gt).") var features: String?
    @Option(help: "Annotations: which videos to run (and their durations); the mAP is printed.") var gt: String?
    @Option(help: "Subset of --gt; 'all' for every video.") var subset = "validation"
    @Option(help: "Feature stride in frames.") var stride: Double = 1
    @Option(help: "Feature window in frames.") var window: Double = 1
    @Option(help: "Frames per second.") var fps: Double = 1
    @Option(help: "RCL refinement iterations (default: the model's).") var refine: Int?
    @Option(help: "Segments kept per video after Soft-NMS.") var keep = 100
    @Option(help: "Sliding windows of this many snippets (stride half of it) for long videos, with feature files.") var slidingWindow: Int?
    @Flag(help: "RCL: score by confidence x class only, without the encoder's boundary probabilities.") var noBoundaryScore = false
    @Option(help: "Output prediction JSON.") var out: String?
    @Flag(help: "Localize the bundled synthetic validation set with the bundled model and print the mAP.") var demo = false

    func run() throws {
        do {
            let grid = try FeatureGrid(stride: stride, window: window, fps: fps)
            var modelPath = model, featureFolder = features, gtPath = gt
            if demo {
                let root = LocalizeRunner.bundledRoot()
                modelPath = modelPath ?? root + "/Models/rcl-synthetic.safetensors"
                featureFolder = root + "/Fixtures/localization/synthetic/features"
                gtPath = root + "/Fixtures/localization/synthetic/annotations.json"
            }
            guard let modelPath else { throw ValidationError("--model is required (or --demo)") }
            let localizer = try Localizer(checkpoint: modelPath)
            localizer.refinementSteps = refine
            localizer.keep = keep
            localizer.useBoundaryEvidence = !noBoundaryScore
            var results: [(id: String, predictions: [ScoredSegment])] = []
            let clock = ContinuousClock(), start = clock.now
            if let gtPath {
                guard let featureFolder else { throw ValidationError("--gt needs --features FOLDER") }
                let truth = try GroundTruthFile.read(path: gtPath)
                let dataset = try FeatureDataset(groundTruth: truth, subset: subset == "all" ? nil : subset, folder: featureFolder)
                results = try LocalizeRunner.run(localizer, dataset: dataset, grid: grid)
                let elapsed = (clock.now - start).seconds
                let evaluation = DetectionEvaluation(groundTruth: truth, predictions: PredictionFile(videos: results),
                                                     subset: subset == "all" ? nil : subset, thresholds: linspace(0.3, 0.7, count: 5))
                print("tIoU   " + evaluation.thresholds.map { String(format: "%6.2f", $0) }.joined(separator: " "))
                print("mAP(%) " + evaluation.mAP.map { String(format: "%6.2f", 100 * $0) }.joined(separator: " "))
                print(String(format: "average mAP %.2f%% on %d videos (%.2f s)", 100 * evaluation.averageMAP, dataset.items.count, elapsed))
            } else {
                guard !files.isEmpty else { throw ValidationError("give feature files, or --gt with --features") }
                for file in files {
                    let x = try FeatureDataset.readFeatures(file)
                    let id = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
                    results.append((id, try slidingWindow.map { try localizer.localize(features: x, window: $0, grid: grid) }
                                        ?? localizer.localize(features: x, grid: grid)))
                }
            }
            if let out { try PredictionFile(videos: results).write(to: out); print("wrote \(out)") }
        } catch let error as ValidationError { throw error } catch { EvalOutput.fail(error) }
    }
}

/// Shared by `vidi localize` and `vidi train localize`.
enum LocalizeRunner {
    static func run(_ localizer: Localizer, dataset: FeatureDataset, grid: FeatureGrid, batch: Int = 16) throws -> [(id: String, predictions: [ScoredSegment])] {
        var results: [(id: String, predictions: [ScoredSegment])] = []
        var i = 0
        while i < dataset.items.count {
            let chunk = Array(dataset.items[i..<Swift.min(i + batch, dataset.items.count)])
            let out = try localizer.localize(batch: chunk.map(\.features), grid: grid, durations: chunk.map(\.duration))
            for (item, predictions) in zip(chunk, out) { results.append((item.id, predictions)) }
            i += batch
        }
        return results
    }

    /// The repository root (bundled model and data) from the source location of this file.
    static func bundledRoot() -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }
}
