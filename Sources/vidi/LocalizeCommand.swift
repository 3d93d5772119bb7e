import ArgumentParser
import Foundation
import VidiLocalization
import VidiMedia
import VidiTensor

/// `vidi localize`: features (or videos, through a backbone) in, ActivityNet-style predictions out.
struct LocalizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "localize",
        abstract: "Find actions in videos (or their T x C features) with a trained localizer; write ActivityNet-style prediction JSON.",
        discussion: """
            Examples:
              vidi localize --model rcl.safetensors --features feats/ --gt annotations.json --subset validation --out pred.json
              vidi localize --model rcl.safetensors feats/video1.npy feats/video2.npy --out pred.json
              vidi localize --model rcl.safetensors --backbone r2plus1d_18.safetensors clips/*.mp4 --out pred.json
            Feature files made by `vidi features` have a sidecar <id>.json next to them; its fps, stride and \
            window place the features in time (explicit --fps/--stride/--window win). Without a sidecar the \
            defaults are 1, i.e. one feature per second.
            With --backbone the arguments are videos: features are extracted in memory exactly as \
            `vidi features` does (--stride/--window in frames, default 8/16; --size, --resize, --batch), then \
            localized; the video id is the file name without extension.
            With --gt the videos of the subset are localized and the mAP (tIoU 0.3:0.1:0.7) is printed: their \
            features are read from --features (<id>.npy), or, with --backbone, the arguments are the videos \
            (every video of the subset must be given; videos outside it are skipped):
              vidi localize --model rcl.safetensors --backbone r2plus1d_18.safetensors videos/*.mp4 --gt annotations.json
            The ground truth's durations clip the segments.
            Run `vidi localize --demo` to localize the bundled synthetic set with the bundled model.
            """
    )

    @Argument(help: "Feature files (.npy, T x C), or videos with --backbone; the video id is the file name without extension.") var files: [String] = []
    @Option(help: "Checkpoint (.safetensors) from `vidi train localize`.") var model: String?
    @Option(help: "Folder of <video id>.npy features (with --gt; or --backbone with videos).") var features: String?
    @Option(help: "Annotations: which videos to run (and their durations); the mAP is printed.") var gt: String?
    @Option(help: "Subset of --gt; 'all' for every video.") var subset = "validation"
    @Option(help: "Feature stride in frames (default: the sidecar's, else 1; with --backbone 8).") var stride: Double?
    @Option(help: "Feature window in frames (default: the sidecar's, else 1; with --backbone 16).") var window: Double?
    @Option(help: "Frames per second (default: the sidecar's or the video's, else 1).") var fps: Double?
    @Option(help: "Backbone weights (.safetensors): the arguments are videos, features are extracted first.") var backbone: String?
    @Option(help: "With --backbone: centre-crop side (default 224 image ResNet, 112 video ResNet).") var size: Int?
    @Option(help: "With --backbone: shorter side before the crop (default 256 / 128).") var resize: Int?
    @Option(help: "With --backbone: snippets per forward pass.") var batch: Int = 16
    @Option(help: "RCL refinement iterations (default: the model's).") var refine: Int?
    @Option(help: "Segments kept per video after Soft-NMS.") var keep = 100
    @Option(help: "Sliding windows of this many snippets (stride half of it) for long videos: feature files, --features with --gt, or videos.") var slidingWindow: Int?
    @Flag(help: "RCL: score by confidence x class only, without the encoder's boundary probabilities.") var noBoundaryScore = false
    @Flag(help: "Diagnosis: skip Soft-NMS and write the --keep best candidates as scored (all of them with a large --keep).") var noSuppression = false
    @Option(help: "Output prediction JSON.") var out: String?
    @Flag(help: "Localize the bundled synthetic validation set with the bundled model and print the mAP.") var demo = false

    func run() throws {
        do {
            var modelPath = model, featureFolder = features, gtPath = gt
            if demo {
                guard let features = BundledLocalization.demoFeatures, let annotations = BundledLocalization.demoAnnotations,
                      let bundledModel = BundledLocalization.modelPath else {
                    throw ValidationError("the bundled demo set or model is missing from vidi's resource bundle")
                }
                modelPath = modelPath ?? bundledModel
                featureFolder = features
                gtPath = annotations
            }
            guard let modelPath else { throw ValidationError("--model is required (or --demo)") }
            let localizer = try Localizer(checkpoint: modelPath)
            localizer.refinementSteps = refine
            localizer.keep = keep
            localizer.useBoundaryEvidence = !noBoundaryScore
            // tIoU never exceeds 1, so this hard NMS suppresses nothing.
            if noSuppression { localizer.suppression = .hard(threshold: 1); localizer.candidatesBeforeSuppression = keep }
            var results: [(id: String, predictions: [ScoredSegment])] = []
            let clock = ContinuousClock(), start = clock.now
            if let gtPath {
                let truth = try GroundTruthFile.read(path: gtPath)
                let subsetName = subset == "all" ? nil : subset
                if let backbone {
                    guard featureFolder == nil else { throw ValidationError("--features and --backbone both give the input: use --features FOLDER for .npy features, or --backbone with videos") }
                    guard !files.isEmpty else { throw ValidationError("with --backbone and --gt give the videos of the subset as arguments (their file names are the video ids)") }
                    results = try localizeVideos(with: localizer, backbone: backbone, truth: truth.videos(inSubset: subsetName))
                } else {
                    guard let featureFolder else { throw ValidationError("--gt needs --features FOLDER of <id>.npy features, or --backbone WEIGHTS with the videos as arguments") }
                    let dataset = try FeatureDataset(groundTruth: truth, subset: subsetName, folder: featureFolder)
                    let grids = try dataset.items.map { try grid(sidecar: sidecar(of: "\(featureFolder)/\($0.id).npy")) }
                    if slidingWindow != nil {
                        // Windows are per video (each its own count), so no batching across videos here.
                        results = try zip(dataset.items, grids).map { item, grid in
                            (item.id, try localize(item.features, with: localizer, grid: grid, duration: item.duration))
                        }
                    } else {
                        results = try LocalizeRunner.run(localizer, dataset: dataset, grids: grids)
                    }
                }
                let elapsed = (clock.now - start).seconds
                let evaluation = DetectionEvaluation(groundTruth: truth, predictions: PredictionFile(videos: results),
                                                     subset: subsetName, thresholds: linspace(0.3, 0.7, count: 5))
                print("tIoU   " + evaluation.thresholds.map { String(format: "%6.2f", $0) }.joined(separator: " "))
                print("mAP(%) " + evaluation.mAP.map { String(format: "%6.2f", 100 * $0) }.joined(separator: " "))
                print(String(format: "average mAP %.2f%% on %d videos (%.2f s)", 100 * evaluation.averageMAP, results.count, elapsed))
            } else if let backbone {
                guard !files.isEmpty else { throw ValidationError("give video files to localize with --backbone") }
                results = try localizeVideos(with: localizer, backbone: backbone)
            } else {
                guard !files.isEmpty else { throw ValidationError("give feature files, videos with --backbone, or --gt with --features") }
                for file in files {
                    let x = try FeatureDataset.readFeatures(file)
                    let id = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
                    let sidecar = try sidecar(of: file)
                    results.append((id, try localize(x, with: localizer, grid: grid(sidecar: sidecar), duration: sidecar?.duration)))
                }
            }
            if let out { try PredictionFile(videos: results).write(to: out); print("wrote \(out)") }
        } catch let error as ValidationError { throw error } catch let exit as ExitCode { throw exit } catch { EvalOutput.fail(error) }
    }

    /// The sidecar `vidi features` wrote next to `file`, if any.
    func sidecar(of file: String) throws -> FeatureSidecar? {
        let path = FeatureSidecar.path(forFeatures: file)
        return FileManager.default.fileExists(atPath: path) ? try FeatureSidecar.read(path: path) : nil
    }

    /// Explicit flags, then the sidecar, then 1.
    func grid(sidecar: FeatureSidecar?) throws -> FeatureGrid {
        try FeatureGrid(stride: stride ?? sidecar.map { Double($0.stride) } ?? 1, window: window ?? sidecar.map { Double($0.window) } ?? 1,
                        fps: fps ?? sidecar?.fps ?? 1)
    }

    func localize(_ features: Tensor, with localizer: Localizer, grid: FeatureGrid, duration: Double?) throws -> [ScoredSegment] {
        try slidingWindow.map { try localizer.localize(features: features, window: $0, grid: grid, duration: duration) }
            ?? localizer.localize(features: features, grid: grid, duration: duration)
    }
}

/// Shared by `vidi localize` and `vidi train localize`.
enum LocalizeRunner {
    static func run(_ localizer: Localizer, dataset: FeatureDataset, grid: FeatureGrid, batch: Int = 16) throws -> [(id: String, predictions: [ScoredSegment])] {
        try run(localizer, dataset: dataset, grids: dataset.items.map { _ in grid }, batch: batch)
    }

    /// `grids`: one per dataset item (each video's own frame rate, stride and window).
    static func run(_ localizer: Localizer, dataset: FeatureDataset, grids: [FeatureGrid], batch: Int = 16) throws -> [(id: String, predictions: [ScoredSegment])] {
        var results: [(id: String, predictions: [ScoredSegment])] = []
        var i = 0
        while i < dataset.items.count {
            let range = i..<Swift.min(i + batch, dataset.items.count)
            let chunk = Array(dataset.items[range])
            let out = try localizer.localize(batch: chunk.map(\.features), grids: Array(grids[range]), durations: chunk.map(\.duration))
            for (item, predictions) in zip(chunk, out) { results.append((item.id, predictions)) }
            i += batch
        }
        return results
    }
}
