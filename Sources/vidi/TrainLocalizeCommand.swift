import ArgumentParser
import Foundation
import VidiLocalization
import VidiNN
import VidiTensor
import VidiTraining

/// `vidi train localize`: train RCL (continuous anchors) or the BMN baseline on packed feature shards,
/// through the shared training runtime (checkpoints, bit-identical `--resume`, JSON-lines logs).
struct TrainLocalizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "localize",
        abstract: "Train a temporal action localizer (RCL continuous anchors, or the BMN baseline) on packed feature shards.",
        discussion: """
            Shards come from `vidi pack localization` (features resampled to the model grid + ground truth). \
            With --val-shards, every validation (--val-every steps, and at the end) runs the localizer over \
            the whole validation split and scores it with the exact ActivityNet evaluator: metrics.jsonl gets \
            mAP (average over tIoU 0.3:0.1:0.7) and mAP@0.5 next to the validation loss.

            Example:
              vidi synth localization --out data/synth
              vidi pack localization --features data/synth/features --gt data/synth/annotations.json --out data/shards
              vidi train localize --shards 'data/shards/training-{000000..000005}.tar' \\
                  --val-shards 'data/shards/validation-{000000..000001}.tar' --batch-size 8 --steps 600 \\
                  --schedule constant --weight-decay 0 --checkpoint-dir runs/rcl --val-every 200 --out rcl.safetensors
            """
    )

    @OptionGroup var training: TrainingOptions
    @Option(help: "Head: rcl (continuous anchors) or bmn (discrete boundary-matching map).") var head = "rcl"
    @Option(help: "RCL refinement iterations.") var refine = 2
    @Option(help: "RCL query sampling: scale-invariant or uniform (the ablation).") var sampling = "scale-invariant"
    @Option(help: "RCL training queries per video.") var queries = 96
    @Option(help: "RCL span queries (one action's start to another's end): none (default), or 1/8 of scale-invariant sampling taken from the around-truth share (truth) or the background share (background).") var spans = "none"
    @Option(help: "RCL: uniform (start, end) queries per video added to the --queries scale-invariant ones, training long segments as densely as BMN's map.") var uniformQueries = 0
    @Flag(help: "RCL: every other fragment query shares one boundary with its action (a part from the start or to the end, 20-80 % of it).") var anchoredParts = false
    @Option(help: "Extra points read around each query boundary (window min(L, 4) grid steps); default 4 for rcl, 0 for bmn; 0 reads only the segment's bins (the ablation).") var boundarySamples: Int?
    @Option(help: "Points read evenly inside each query, pooled per channel by min and max, so the head sees a background gap inside a long query; default 32 for rcl, 0 for bmn; 0 = none (the ablation).") var interiorSamples: Int?
    @Flag(help: "Train column 1 as BMN's sharp confidence (balanced logistic, positives tIoU > 0.9) and multiply it into RCL's score.") var sharpConfidence = false
    @Option(help: "Output localizer checkpoint (.safetensors) for `vidi localize --model`.") var out: String

    func validate() throws {
        guard queries >= 1, refine >= 0, uniformQueries >= 0, (boundarySamples ?? 0) >= 0, (interiorSamples ?? 0) >= 0 else {
            throw ValidationError("--queries must be at least 1, --refine, --uniform-queries, --boundary-samples and --interior-samples at least 0")
        }
        guard LocalizerConfiguration.Head(rawValue: head) != nil else { throw ValidationError("--head must be rcl or bmn") }
        guard ["scale-invariant", "uniform"].contains(sampling) else { throw ValidationError("--sampling must be scale-invariant or uniform") }
        guard SpanQueries(rawValue: spans) != nil else { throw ValidationError("--spans must be truth, background or none") }
    }

    func run() throws {
        do { try execute() } catch let error as TrainingError {
            FileHandle.standardError.write(Data("vidi train localize: \(error)\n".utf8))
            throw ExitCode(2)
        } catch let error as ExitCode { throw error } catch { EvalOutput.fail(error) }
    }

    private func execute() throws {
        training.applyThreads()
        let trainingOptions = try training.trainingLoader()
        let validationOptions = try training.validationLoader()
        let example = try PackedBatch.video(WebDatasetInspection.firstSample(of: trainingOptions.shards))
        var c = LocalizerConfiguration(head: LocalizerConfiguration.Head(rawValue: head) ?? .continuous,
                                       inputChannels: example.video.channels, classes: example.classes)
        c.gridLength = example.video.length; c.maxDuration = example.video.length; c.refinementSteps = refine
        if let boundarySamples { c.boundarySamples = boundarySamples }
        if let interiorSamples { c.interiorSamples = interiorSamples }
        if sharpConfidence { c.sharpConfidence = true }
        let model = try LocalizationModel(c, seed: training.seed)
        let optimizer = try AdamW(model.parameters, learningRate: training.lr, weightDecay: training.weightDecay)
        var loss = LocalizationLoss(model: model)
        loss.queriesPerVideo = queries
        loss.scaleInvariantSampling = sampling == "scale-invariant"
        loss.spanQueries = SpanQueries(rawValue: spans) ?? .none
        loss.uniformQueries = uniformQueries
        loss.anchoredParts = anchoredParts
        let trainer = Trainer(model: model, optimizer: optimizer, configuration: try training.configuration(training: trainingOptions)) { batch, generator in
            try loss(PackedBatch.videos(batch).map(\.video), generator: &generator)
        }
        trainer.splitEvaluation = DetectionValidation(model: model).evaluation
        let console = TrainingConsole()
        console.attach(to: trainer)
        let summary: TrainingSummary
        do {
            defer { console.finish() }
            summary = try trainer.fit(training: trainingOptions, validation: validationOptions)
        }
        if !summary.interrupted {
            try Localizer(model: model).save(to: out)
        }
        var lines = ["trained \(head) head: \(summary.state.step) step(s) on \(summary.state.samples) video(s)"
            + (summary.lastLoss.map { String(format: ", last loss %.4f", $0) } ?? "")]
        if let mAP = summary.validation["mAP"] {
            lines.append(String(format: "validation mAP@0.3:0.7 %.2f%%, mAP@0.5 %.2f%%", 100 * mAP, 100 * (summary.validation["mAP@0.5"] ?? .nan)))
        }
        lines.append(summary.interrupted ? "interrupted: rerun with --resume to continue" : "wrote \(out)")
        print(lines.joined(separator: "\n"))
        if summary.interrupted { throw ExitCode(130) }
    }
}

/// Packed localization samples (`vidi pack localization`) of a batch.
enum PackedBatch {
    static func videos(_ batch: Batch) throws -> [PackedVideo] {
        let features = batch.values("features.npy"), metadata = batch.values("json")
        guard features.count == batch.count, metadata.count == batch.count else {
            throw TrainingError.badSample(key: batch.keys.first ?? "", reason: "packed localization samples need features.npy and json members")
        }
        return try batch.keys.indices.map { i in
            guard case .tensor(let x) = features[i], case .json(let document) = metadata[i] else {
                throw TrainingError.badSample(key: batch.keys[i], reason: "features.npy must be an array and json a document")
            }
            return try PackedVideo(features: x, metadata: document, key: batch.keys[i])
        }
    }

    static func video(_ sample: DecodedSample) throws -> PackedVideo {
        guard case .tensor(let x)? = sample.values["features.npy"], case .json(let document)? = sample.values["json"] else {
            throw TrainingError.badSample(key: sample.key, reason: "not a packed localization sample (needs features.npy and json; see `vidi pack localization`)")
        }
        return try PackedVideo(features: x, metadata: document, key: sample.key)
    }
}

/// Detection mAP over the whole validation split with the exact ActivityNet evaluator.
final class DetectionValidation {
    let model: LocalizationModel
    private var videos: [PackedVideo] = []
    private var predictions: [(id: String, predictions: [ScoredSegment])] = []

    init(model: LocalizationModel) { self.model = model }

    var evaluation: SplitEvaluation {
        SplitEvaluation(begin: { [self] in videos = []; predictions = [] }, add: { [self] batch in try add(batch) }, finish: { [self] in try finish() })
    }

    private func add(_ batch: Batch) throws {
        let packed = try PackedBatch.videos(batch)
        let localizer = Localizer(model: model)
        // Each video converts through its own feature grid, so localize them one grid at a time.
        for video in packed {
            let duration = video.duration ?? video.grid.seconds(Double(video.video.length) * video.video.scale)
            let out = try localizer.localize(gridVideos: [video.video], grid: video.grid, durations: [duration])
            predictions.append((video.id, out[0]))
        }
        videos += packed
    }

    private func finish() throws -> [String: Double] {
        let truth = GroundTruthFile(videos: videos.map { .init(id: $0.id, subset: "validation", duration: $0.duration, annotations: $0.annotations) })
        let evaluation = DetectionEvaluation(groundTruth: truth, predictions: PredictionFile(videos: predictions), subset: "validation",
                                             thresholds: linspace(0.3, 0.7, count: 5))
        return ["mAP": evaluation.averageMAP, "mAP@0.5": evaluation.mAP[2]]
    }
}
