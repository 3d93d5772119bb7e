import ArgumentParser
import Foundation
import VidiNN
import VidiRetrieval
import VidiTensor
import VidiTraining

/// `vidi train retrieval`: DRL-style training (WTI or TI, seqTransf, symmetric loss + CDCR) on the shared
/// training runtime (shards, schedule, checkpoints, `--resume`, validation R@K).
struct TrainRetrievalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieval",
        abstract: "Train a text-video retrieval model (DRL: WTI/TI, temporal transformer, symmetric loss + CDCR) on shards.",
        discussion: """
            Reads WebDataset shards of one of two kinds (`vidi pack retrieval` writes both):
              feature pairs  text.npy [N_t, D], video.npy [N_v, D] (+ text_mask.npy, video_mask.npy):
                             precomputed CLIP features; only DRL's head trains (weight branches, temporal
                             transformer, logit scale).
              captioned clips frames.npy (float [F, 3, R, R] preprocessed for CLIP, or uint8 [T, R, R, 3]
                             pixels as `vidi run Pipelines/frames.yaml` writes them) + frame_mask.npy, and
                             captions in the sample's .json ("captions": [...] or "caption") or .txt:
                             CLIP's encoders and DRL's head train end to end; each step draws one caption
                             per clip with the run's seeded generator.
            The loss is DRL's: symmetric cross-entropy on exp(logit_scale) x sim, plus --cdcr-lambda x CDCR.
            With --val-shards, metrics.jsonl gets the validation loss and t2v/v2t R@1, R@5, R@10, MdR, MnR
            over the whole split, every caption a query (multi-caption protocol of `vidi eval retrieval`).

            --initial starts from a checkpoint (OpenAI CLIP or DRL layout); otherwise a new model is built:
            from features, a head of the features' width; from clips, a small CLIP (--width, --layers,
            --resolution, --patch). Writes step-N.safetensors checkpoints, train_log.jsonl and metrics.jsonl
            to --checkpoint-dir, and the trained model (DRL key names) to --out (default
            <checkpoint-dir>/retrieval.safetensors). An interrupted run continues with --resume to the same
            bytes as an uninterrupted one.

            Example:
              vidi synth-clips --out data/clips --count 300 --seed 1
              vidi pack retrieval --annotations data/clips/captions.json --videos data/clips \\
                --resolution 32 --validation 50 --out data/shards
              vidi train retrieval --shards 'data/shards/training-{000000..000002}.tar' \\
                --val-shards data/shards/validation-000000.tar --steps 400 --clip 1 \\
                --checkpoint-dir runs/ret --checkpoint-every 100 --val-every 100
            """)

    @OptionGroup var training: TrainingOptions
    @Option(help: "Checkpoint to start from (OpenAI CLIP or DRL layout).") var initial: String?
    @Option(help: "Where the trained model goes (default: <checkpoint-dir>/retrieval.safetensors).") var out: String?
    @Option(help: "wti or ti.") var interaction = "wti"
    @Option(name: .customLong("cdcr-lambda"), help: "Weight of the channel decorrelation loss (0: off).") var cdcrLambda: Float = 0.001
    @Option(name: .customLong("cdcr-alpha1"), help: "CDCR's weight of the diagonal term.") var cdcrAlpha1: Float = 0.14
    @Option(name: .customLong("max-tokens"), help: "Caption tokens at most, start and end included.") var maxTokens = 32
    @Option(help: "New model: transformer width (multiple of 64).") var width = 64
    @Option(help: "New model: layers of each encoder.") var layers = 2
    @Option(help: "New model: input resolution.") var resolution = 32
    @Option(help: "New model: patch size.") var patch = 8
    @Option(name: .customLong("temporal-layers"), help: "New model: temporal transformer layers (seqTransf; 0 for none).") var temporalLayers = 1
    @Flag(name: .customLong("float16"), help: "Store the trained model as float16.") var float16 = false
    @Flag(help: "Print the summary as JSON on stdout.") var json = false

    func validate() throws {
        guard Interaction(rawValue: interaction) != nil else { throw ValidationError("--interaction must be wti or ti") }
        guard out != nil || training.checkpointDirectory != nil else { throw ValidationError("give --out or --checkpoint-dir") }
        guard maxTokens >= 3, width >= 1, layers >= 1, resolution >= 1, patch >= 1, temporalLayers >= 0 else {
            throw ValidationError("--max-tokens must be >= 3; --width, --layers, --resolution, --patch >= 1; --temporal-layers >= 0")
        }
    }

    func run() throws {
        do {
            try execute()
        } catch let error as TrainingError {
            FileHandle.standardError.write(Data("vidi train retrieval: \(error)\n".utf8))
            throw ExitCode(2)
        } catch let error as RetrievalError {
            FileHandle.standardError.write(Data("vidi train retrieval: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    private func execute() throws {
        training.applyThreads()
        let trainingOptions = try training.trainingLoader()
        let validationOptions = try training.validationLoader()
        let first = try WebDatasetInspection.firstSample(of: trainingOptions.shards)
        let kind = try RetrievalSamples.kind(of: first)
        let mode = Interaction(rawValue: interaction) ?? .wti
        var generator = RandomGenerator(seed: training.seed)
        let model = try initial.map { try DRLModel.load(path: $0) } ?? newModel(kind: kind, first: first, generator: &generator)
        let optimizer = try AdamW(model.parameters, learningRate: training.lr, weightDecay: training.weightDecay)
        let cdcr = ChannelDecorrelation(alpha1: cdcrAlpha1, alpha2: 0)
        let lambda = cdcrLambda
        let trainer: Trainer
        let validation: RetrievalValidation
        switch kind {
        case .features:
            trainer = Trainer(model: model, optimizer: optimizer, configuration: try training.configuration(training: trainingOptions)) { batch, _ in
                let (text, video) = try RetrievalSamples.features(batch)
                return try model.loss(text: text, video: video, interaction: mode, cdcr: cdcr, lambda: lambda)
            }
            validation = RetrievalValidation(model: model, interaction: mode) { batch in
                let (text, video) = try RetrievalSamples.features(batch)
                return (text, video, Array(0..<batch.count))
            }
        case .clips:
            guard let resolution = model.clip.configuration.vision?.resolution, model.clip.configuration.text != nil else {
                throw RetrievalError.checkpoint("training on clips needs a model with CLIP's image and text encoders")
            }
            let tokenizer = try CLIPTokenizer()
            let maxTokens = maxTokens
            trainer = Trainer(model: model, optimizer: optimizer, configuration: try training.configuration(training: trainingOptions)) { batch, generator in
                let (images, frameMask) = try RetrievalSamples.frames(batch, resolution: resolution)
                let captions = try RetrievalSamples.captions(batch).map { $0[generator.nextIndex(below: $0.count)] }
                let (ids, textMask) = try DRLModel.tokenBatch(captions, tokenizer: tokenizer, maxTokens: maxTokens)
                let (text, video) = try model.encodePairs(images: images, frameMask: frameMask, ids: ids, textMask: textMask)
                return try model.loss(text: text, video: video, interaction: mode, cdcr: cdcr, lambda: lambda)
            }
            validation = RetrievalValidation(model: model, interaction: mode) { batch in
                let (images, frameMask) = try RetrievalSamples.frames(batch, resolution: resolution)
                let lists = try RetrievalSamples.captions(batch)
                let (ids, textMask) = try DRLModel.tokenBatch(lists.flatMap { $0 }, tokenizer: tokenizer, maxTokens: maxTokens, fullLength: true)
                let text = try TokenFeatures(model.clip.encodeTextTokens(ids), mask: textMask, name: "captions")
                let b = images.shape[0], f = images.shape[1]
                let frames = try model.clip.encodeImage(images.reshaped([b * f] + Array(images.shape[2...])))
                let video = try TokenFeatures(frames.reshaped([b, f, frames.shape[1]]), mask: frameMask, name: "clips")
                return (text, video, lists.enumerated().flatMap { v, list in Array(repeating: v, count: list.count) })
            }
        }
        if validationOptions != nil { trainer.splitEvaluation = validation.splitEvaluation }
        let console = TrainingConsole()
        console.attach(to: trainer)
        let summary: TrainingSummary
        do {
            defer { console.finish() }
            summary = try trainer.fit(training: trainingOptions, validation: validationOptions)
        }
        let destination = out ?? ((training.checkpointDirectory ?? ".") as NSString).appendingPathComponent("retrieval.safetensors")
        if !summary.interrupted {
            try CheckpointIO.save(model, to: destination, halfPrecision: float16,
                                  metadata: ["trained_by": "vidi train retrieval", "interaction": mode.rawValue,
                                             "steps": String(summary.state.step), "seed": String(training.seed)])
        }
        try report(summary, model: summary.interrupted ? nil : destination)
        if summary.interrupted { throw ExitCode(130) }
    }

    /// A fresh model: DRL's head on the features' width, or a small CLIP with the head for clips.
    private func newModel(kind: RetrievalSamples.Kind, first: DecodedSample, generator: inout RandomGenerator) throws -> DRLModel {
        let branches = interaction == "wti" ? 2 : 0
        switch kind {
        case .features:
            guard case .tensor(let video)? = first.values["video.npy"], video.rank == 2 else {
                throw TrainingError.badSample(key: first.key, reason: "video.npy must be [N_v, D]")
            }
            let d = video.shape[1]
            if temporalLayers > 0, d % 64 != 0 {
                throw RetrievalError.invalidArgument("a temporal transformer needs a width that is a multiple of 64 (features are \(d)-d): pass --temporal-layers 0")
            }
            return DRLModel(.init(width: d, weightBranchLayers: branches, temporalLayers: temporalLayers), generator: &generator)
        case .clips:
            guard width % 64 == 0 else { throw RetrievalError.invalidArgument("--width must be a multiple of 64 (CLIP's heads are 64 wide)") }
            let clip = CLIPModel.Configuration(embedDim: width, vision: .init(resolution: resolution, patchSize: patch, width: width, layers: layers),
                                               text: .init(contextLength: 77, vocabularySize: 49408, width: width, layers: layers))
            return DRLModel(.init(width: width, weightBranchLayers: branches, temporalLayers: temporalLayers, framePositions: 77, clip: clip),
                            generator: &generator)
        }
    }

    private func report(_ summary: TrainingSummary, model path: String?) throws {
        if json {
            var object: [String: JSONValue] = ["steps": .int(summary.state.step), "samples": .int(summary.state.samples),
                                               "interrupted": .bool(summary.interrupted)]
            if let loss = summary.lastLoss { object["loss"] = .double(Double(loss)) }
            for (name, value) in summary.validation where value.isFinite { object["validation_" + name] = .double(value) }
            if let checkpoint = summary.checkpoint { object["checkpoint"] = .string(checkpoint) }
            if let path { object["model"] = .string(path) }
            try JSONOutput.print(.object(object))
            return
        }
        var lines = ["trained \(summary.state.step) step(s) on \(summary.state.samples) sample(s)"
            + (summary.lastLoss.map { String(format: ", last loss %.4f", $0) } ?? "")]
        if !summary.validation.isEmpty {
            lines.append("validation: " + summary.validation.keys.sorted().map { String(format: "%@ %.2f", $0, summary.validation[$0] ?? .nan) }.joined(separator: ", "))
        }
        lines.append("reader: " + summary.report.summary)
        if let checkpoint = summary.checkpoint { lines.append("checkpoint: \(checkpoint)") }
        if let path { lines.append("model: \(path)") }
        if summary.interrupted { lines.append("interrupted: rerun with --resume to continue") }
        print(lines.joined(separator: "\n"))
    }
}
