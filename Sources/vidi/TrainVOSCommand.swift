import ArgumentParser
import Foundation
import VidiSegmentation
import VidiTensor

/// `vidi train vos`: STCN-style training with RDE's unbiased guidance on seeded synthetic clips.
struct TrainVOSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vos",
        abstract: "Train the memory-bank VOS network (small or full; grow or rde memory) on synthetic clips.",
        discussion: """
            Clips of --clip-frames frames are rendered on the fly from --sequences seeded synthetic \
            sequences (the ones `vidi synth vos --seed S` writes), or read from a DAVIS-layout folder \
            (--davis-path), resized to --size and mirrored at random. Loss: bootstrapped \
            cross-entropy (hardest 15% of pixels after --warmup steps) on the growing-memory branch, plus for \
            --memory rde the SAM branch's cross-entropy and the KL term of RDE's unbiased guidance. Writes \
            --out (safetensors, STCN / RDE-VOS key names) at the end and every --save-every steps.

            Example (the bundled default, Tools/train-vos-default.sh):
              vidi train vos --config small --memory rde --steps 400 --out Models/vos/small-rde.safetensors
            """
    )

    @Option(name: .long, help: "Network: small or full.")
    var config = "small"

    @Option(name: .long, help: "Memory: rde (adds mem_compress and the SAM branch) or grow.")
    var memory = "rde"

    @Option(name: .long, help: "Output weights (.safetensors).")
    var out: String

    @Option(name: .long, help: "Optimizer steps (one clip each).")
    var steps = 1000

    @Option(name: .long, help: "Adam learning rate.")
    var lr: Float = 1e-3

    @Option(name: .long, help: "Steps of plain cross-entropy before bootstrapping.")
    var warmup = 200

    @Option(name: .customLong("clip-frames"), help: "Frames per training clip (>= 3 for the rde branch).")
    var clipFrames = 3

    @Option(name: .long, help: "Frame size of the synthetic clips, WIDTHxHEIGHT (multiples of 16).")
    var size = "128x128"

    @Option(name: .customLong("davis-path"), help: "Train on a DAVIS / YouTube-VOS-layout folder (Annotations/480p + videos/*.mp4 or JPEGImages/480p) instead of synthetic clips.")
    var davisPath: String?

    @Option(name: .customLong("set"), help: "Image set of --davis-path (ImageSets/2017/<set>.txt).")
    var set = "train"

    @Option(name: .long, help: "Synthetic sequences to draw clips from.")
    var sequences = 500

    @Option(name: .long, help: "Seed of the data (sequence seed) and of the initialisation.")
    var seed: UInt64 = 1

    @Option(name: .customLong("distractors"), help: "Look-alike distractors per synthetic sequence.")
    var distractors = 1

    @Option(name: .customLong("save-every"), help: "Steps between intermediate saves (0: only at the end).")
    var saveEvery = 0

    @Option(name: .customLong("log-every"), help: "Steps between loss lines on stderr.")
    var logEvery = 25

    @Option(name: .long, help: "Continue from these weights instead of a fresh initialisation.")
    var initial: String?

    @Flag(name: .long, help: "Add and train the LCM modules (zero-initialised on top of --initial, or from scratch).")
    var lcm = false

    func run() throws {
        let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts[0] % 16 == 0, parts[1] % 16 == 0 else {
            throw ValidationError("--size must be WIDTHxHEIGHT with multiples of 16, got \(size)")
        }
        guard ["small", "full"].contains(config) else { throw ValidationError("--config must be small or full") }
        guard let kind = MemoryKind(rawValue: memory) else { throw ValidationError("--memory must be grow or rde") }
        var generator = RandomGenerator(seed: seed)
        let network: STCN
        if let initial {
            let weights = try Safetensors.read(path: initial)
            network = lcm ? try STCN.addingLCM(to: weights) : try STCN(weights: weights)
        } else {
            let rde = kind == .rde
            var configuration: STCNConfiguration = config == "small" ? .small(rde: rde) : .full(rde: rde)
            configuration.hasLCM = lcm
            network = STCN(configuration, generator: &generator)
        }
        let trainer = try VOSTrainer(network: network, learningRate: lr, warmupSteps: warmup)
        var sampler: any VOSClipSource
        if let davisPath {
            sampler = try DavisClipSampler(dataset: DavisDataset(root: davisPath, set: set), width: parts[0], height: parts[1],
                                           length: clipFrames, seed: seed)
        } else {
            sampler = SyntheticClipSampler(
                options: SyntheticVOSOptions(width: parts[0], height: parts[1], frames: 40, objects: 1...3, distractors: distractors),
                sequences: sequences, length: clipFrames, seed: seed)
        }
        let start = Date()
        var running: (ce: Float, sam: Float, kl: Float) = (0, 0, 0)
        for step in 1...max(steps, 1) {
            let losses = try trainer.step(try sampler.next())
            running = (running.ce + losses.crossEntropy, running.sam + losses.samCrossEntropy, running.kl + losses.kl)
            if step % logEvery == 0 || step == steps {
                let n = Float(step % logEvery == 0 ? logEvery : step % logEvery)
                let line = String(format: "step %d  ce %.4f  sam-ce %.4f  kl %.4f  %.1f s", step, running.ce / n, running.sam / n,
                                  running.kl / n, Date().timeIntervalSince(start))
                FileHandle.standardError.write(Data((line + "\n").utf8))
                running = (0, 0, 0)
            }
            if saveEvery > 0, step % saveEvery == 0 { try save(network) }
        }
        try save(network)
    }

    func save(_ network: STCN) throws {
        network.eval()
        try network.saveStateDict(to: out, metadata: ["format": "pt", "vidi": "vos \(config) \(memory)"])
    }
}
