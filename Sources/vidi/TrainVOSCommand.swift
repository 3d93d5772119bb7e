import ArgumentParser
import Foundation
import VidiNN
import VidiSegmentation
import VidiTensor
import VidiTraining

/// `vidi train vos`: STCN-style training with RDE's unbiased guidance and self-correction, on the shared
/// training runtime (checkpoints, bit-identical `--resume`, JSON-lines logs, validation J&F).
struct TrainVOSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vos",
        abstract: "Train the memory-bank VOS network (small or full; grow or rde memory) on synthetic or DAVIS-layout clips.",
        discussion: """
            Clips of --clip-frames frames are rendered on the fly from --sequences seeded synthetic sequences \
            (the ones `vidi synth vos --seed S` writes, S = --seed), or cut from a DAVIS / YouTube-VOS-layout \
            folder (--davis-path), resized to --size, mirrored and colour-jittered (seeded). Clip n of a run \
            depends only on (--seed, n), so --resume continues with exactly the clips an uninterrupted run sees.

            Loss: bootstrapped cross-entropy (hardest 15% of pixels after --bootstrap-after clips) on the \
            growing-memory branch; for --memory rde also the SAM branch's cross-entropy at frames 2 and 4 and \
            the KL term of RDE's unbiased guidance; self-correction (perturbed first-frame memory masks plus a \
            consistency term) unless --no-self-correction. With --lcm the LCM modules are added on top of --initial \
            (readout refinements zero-initialised, the position guidance at its initial strength), a loss on their \
            location response joins, and they train at --lcm-lr-scale times --lr. Every validation (--val-every steps and at the end) \
            segments --val-sequences held-out synthetic sequences (seed --val-seed) with the network being \
            trained and scores them by the DAVIS rules: metrics.jsonl gets J&F-Mean, J-Mean, F-Mean.

            Writes --out (safetensors, STCN / RDE-VOS key names, what `vidi segment --weights` reads) at the \
            end; checkpoints, train_log.jsonl and metrics.jsonl go to --checkpoint-dir.

            Example (the bundled default, Tools/train-vos-default.sh):
              vidi train vos --config small --memory rde --steps 400 --batch-size 1 --schedule constant \\
                  --weight-decay 0 --checkpoint-dir runs/vos --checkpoint-every 100 --val-every 100 \\
                  --out Sources/VidiSegmentation/Resources/small-rde.safetensors
            """
    )

    @OptionGroup var training: TrainingOptions

    @Option(help: "Network: small or full.")
    var config = "small"

    @Option(help: "Memory: rde (adds mem_compress and the SAM branch) or grow.")
    var memory = "rde"

    @Option(help: "Output weights (.safetensors) for `vidi segment --weights`.")
    var out: String

    @Option(name: .customLong("clip-frames"), help: "Frames per training clip (>= 3 for the rde branch; RDE trains on 5).")
    var clipFrames = 5

    @Option(help: "Frame size of the clips, WIDTHxHEIGHT (multiples of 16).")
    var size = "128x128"

    @Option(name: .customLong("davis-path"), help: "Train on a DAVIS / YouTube-VOS-layout folder (Annotations/480p + videos/*.mp4 or JPEGImages/480p) instead of synthetic clips.")
    var davisPath: String?

    @Option(name: .customLong("set"), help: "Image set of --davis-path (ImageSets/2017/<set>.txt).")
    var set = "train"

    @Option(help: "Synthetic sequences to draw clips from.")
    var sequences = 500

    @Option(help: "Look-alike distractors per synthetic sequence.")
    var distractors = 1

    @Option(name: .customLong("bootstrap-after"), help: "Clips of plain cross-entropy before it keeps only the hardest 15% of pixels.")
    var bootstrapAfter = 200

    @Flag(name: .customLong("no-self-correction"), help: "Train without RDE's self-correction (mask perturbation + consistency).")
    var noSelfCorrection = false

    @Option(name: .customLong("val-sequences"), help: "Held-out synthetic sequences segmented at every validation (0: no validation).")
    var validationSequences = 4

    @Option(name: .customLong("val-frames"), help: "Frames per held-out sequence.")
    var validationFrames = 20

    @Option(name: .customLong("val-seed"), help: "Seed of the held-out sequences (default --seed + 1000; must differ from --seed).")
    var validationSeed: UInt64?

    @Option(help: "Start from these weights instead of a fresh initialisation.")
    var initial: String?

    @Flag(help: "Add and train the LCM modules (on top of --initial, or from scratch); validation runs with --lcm.")
    var lcm = false

    @Option(name: .customLong("lcm-lr-scale"), help: "With --lcm: the LCM modules' learning rate as a multiple of --lr (zero-initialised layers must move much further than trained weights in a fine-tune).")
    var lcmLRScale: Float = 10

    func validate() throws {
        guard ["small", "full"].contains(config) else { throw ValidationError("--config must be small or full") }
        guard MemoryKind(rawValue: memory) != nil else { throw ValidationError("--memory must be grow or rde") }
        guard lcmLRScale.isFinite, lcmLRScale > 0 else { throw ValidationError("--lcm-lr-scale must be positive") }
        guard clipFrames >= 2 else { throw ValidationError("--clip-frames must be at least 2") }
        guard sequences >= 1, distractors >= 0, bootstrapAfter >= 0, validationSequences >= 0, validationFrames >= 3 else {
            throw ValidationError("--sequences must be >= 1, --val-frames >= 3, the other counts >= 0")
        }
        if validationSeed == training.seed && validationSequences > 0 {
            throw ValidationError("--val-seed must differ from --seed, or the validation sequences are training sequences")
        }
        _ = try frameSize()
    }

    func frameSize() throws -> (width: Int, height: Int) {
        let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts[0] > 0, parts[1] > 0, parts[0] % 16 == 0, parts[1] % 16 == 0 else {
            throw ValidationError("--size must be WIDTHxHEIGHT with multiples of 16, got \(size)")
        }
        return (parts[0], parts[1])
    }

    func run() throws {
        do { try execute() } catch let error as TrainingError {
            FileHandle.standardError.write(Data("vidi train vos: \(error)\n".utf8))
            throw ExitCode(2)
        } catch let error as SegmentationError {
            FileHandle.standardError.write(Data("vidi train vos: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    private func execute() throws {
        training.applyThreads()
        let (width, height) = try frameSize()
        let kind = MemoryKind(rawValue: memory) ?? .rde
        let network = try makeNetwork(kind)
        let source: any VOSClipSource
        if let davisPath {
            source = try DavisClipSampler(dataset: DavisDataset(root: davisPath, set: set), width: width, height: height,
                                          length: clipFrames, seed: training.seed)
        } else {
            source = SyntheticClipSampler(
                options: SyntheticVOSOptions(width: width, height: height, frames: 40, objects: 1...3, distractors: distractors),
                sequences: sequences, length: clipFrames, seed: training.seed)
        }
        let loss = VOSTrainingLoss(network: network, warmupClips: bootstrapAfter,
                                   selfCorrection: noSelfCorrection ? nil : MaskPerturbation())
        let named = network.namedParameters()
        let optimizer = try ScaledGroupOptimizer(named.map(\.parameter), inScaledGroup: { named[$0].name.hasPrefix("lcm_") },
                                                 scale: lcm ? lcmLRScale : 1, learningRate: training.lr, weightDecay: training.weightDecay)
        let trainer = Trainer(model: network, optimizer: optimizer, configuration: try training.configuration(training: nil)) { batch, generator in
            try loss(batch, generator: &generator)
        }
        var validation: (() throws -> [String: Double])?
        if validationSequences > 0 {
            let check = VOSValidation(
                options: SyntheticVOSOptions(width: width, height: height, frames: validationFrames, objects: 1...3, distractors: distractors),
                sequences: validationSequences, seed: validationSeed ?? training.seed &+ 1000,
                segmenter: SegmenterOptions(memory: kind, lcm: lcm))
            validation = { try check.evaluate(network) }
        }
        let console = TrainingConsole()
        console.attach(to: trainer)
        let batchSize = training.batchSize(default: 1)
        let summary: TrainingSummary
        do {
            defer { console.finish() }
            summary = try trainer.fit(source: { VOSClipStream(source: source, batchSize: batchSize, start: $0) }, validation: validation)
        }
        if !summary.interrupted {
            network.eval()
            try network.saveStateDict(to: out, metadata: ["format": "pt", "vidi": "vos \(config) \(memory)\(lcm ? " lcm" : "")"])
        }
        var lines = ["trained vos \(config) \(memory): \(summary.state.step) step(s) on \(summary.state.samples) clip(s)"
            + (summary.lastLoss.map { String(format: ", last loss %.4f", $0) } ?? "")]
        if let jf = summary.validation["J&F-Mean"] {
            lines.append(String(format: "held-out J&F %.3f (J %.3f, F %.3f)", jf, summary.validation["J-Mean"] ?? .nan, summary.validation["F-Mean"] ?? .nan))
        }
        lines.append(summary.interrupted ? "interrupted: rerun with --resume to continue" : "wrote \(out)")
        print(lines.joined(separator: "\n"))
        if summary.interrupted { throw ExitCode(130) }
    }

    private func makeNetwork(_ kind: MemoryKind) throws -> STCN {
        if let initial {
            let weights = try Safetensors.read(path: initial)
            return lcm ? try STCN.addingLCM(to: weights) : try STCN(weights: weights)
        }
        var generator = RandomGenerator(seed: training.seed)
        var configuration: STCNConfiguration = config == "small" ? .small(rde: kind == .rde) : .full(rde: kind == .rde)
        configuration.hasLCM = lcm
        configuration.hasLCMGuidance = lcm
        return STCN(configuration, generator: &generator)
    }
}
