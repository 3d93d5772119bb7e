import ArgumentParser
import Foundation
import VidiNN
import VidiPretext
import VidiTensor
import VidiTraining

/// The backbone options `vidi train mosi|hico` share.
struct PretextBackboneOptions: ParsableArguments {
    @Option(help: "Backbone: tiny (r3d_18 at widths 8-16-32-64, trains on 2 cores), r3d_18 or r2plus1d_18 (torchvision key names).")
    var backbone = "tiny"

    @Option(help: "Frames fed to the backbone (evenly taken from each 16-frame clip).")
    var frames = 8

    @Option(help: "Side the 112-pixel clips are resampled to before the backbone.")
    var resolution = 32

    var configuration: PretextBackboneConfiguration {
        PretextBackboneConfiguration(architecture: backbone, frames: frames, resolution: resolution)
    }
}

/// Runs a pretext training: the shared runtime, the console, the final state dict and a JSON summary.
enum PretextTraining {
    static func run(task: String, model: Module, options: TrainingOptions, backbone: PretextBackboneOptions,
                    loss: @escaping (Batch) throws -> Tensor) throws {
        let trainingOptions = try options.trainingLoader()
        let optimizer = try AdamW(model.parameters, learningRate: options.lr, weightDecay: options.weightDecay)
        let trainer = Trainer(model: model, optimizer: optimizer, configuration: try options.configuration(training: trainingOptions)) { batch, _ in
            try loss(batch)
        }
        let console = TrainingConsole()
        console.attach(to: trainer)
        let summary: TrainingSummary
        do {
            defer { console.finish() }
            summary = try trainer.fit(training: trainingOptions, validation: try options.validationLoader())
        }
        if let directory = options.checkpointDirectory, !summary.interrupted {
            try model.saveStateDict(to: (directory as NSString).appendingPathComponent("\(task).safetensors"),
                                    metadata: ["task": task, "backbone": backbone.backbone, "frames": String(backbone.frames),
                                               "resolution": String(backbone.resolution)])
        }
        print("trained \(task): \(summary.state.step) step(s) on \(summary.state.samples) sample(s)"
              + (summary.lastLoss.map { String(format: ", last loss %.4f", $0) } ?? "")
              + (options.checkpointDirectory.map { ", weights \(($0 as NSString).appendingPathComponent("\(task).safetensors"))" } ?? ""))
        if summary.interrupted { throw ExitCode(130) }
    }

    static func failing(_ name: String, _ body: () throws -> Void) throws {
        do { try body() } catch let error as TrainingError {
            FileHandle.standardError.write(Data("vidi train \(name): \(error)\n".utf8))
            throw ExitCode(2)
        } catch let error as PretextError {
            FileHandle.standardError.write(Data("vidi train \(name): \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}

struct TrainMoSICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mosi",
        abstract: "Train MoSI (9-class pseudo-motion classification) on shards from Pipelines/mosi.yaml.",
        discussion: """
            Each sample: clips.npy (9 x 16 x 112 x 112 x 3 uint8) and labels.npy (9). Every clip of a stack is \
            classified (global average pool, dropout 0.5, linear to 9), cross-entropy. Writes mosi.safetensors \
            (encoder.backbone.* are torchvision's video ResNet keys) to --checkpoint-dir.

            Example:
              vidi run Pipelines/mosi.yaml --input images/ --output out/mosi
              vidi train mosi --shards 'out/mosi/{00000..00003}.tar' --batch-size 2 --steps 200 \\
                --checkpoint-dir runs/mosi
            """)

    @OptionGroup var training: TrainingOptions
    @OptionGroup var backbone: PretextBackboneOptions

    func run() throws {
        try PretextTraining.failing("mosi") {
            training.applyThreads()
            var generator = RandomGenerator(seed: training.seed)
            let model = try MoSIModel(backbone.configuration, seed: training.seed, generator: &generator)
            try PretextTraining.run(task: "mosi", model: model, options: training, backbone: backbone) { batch in
                try model.loss(stacks: batch.tensor("clips.npy"), labels: batch.tensor("labels.npy"))
            }
        }
    }
}

struct TrainHiCoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hico",
        abstract: "Train HiCo (visual InfoNCE + topical focal BCE) on shards from Pipelines/hico.yaml.",
        discussion: """
            Each sample: clips.npy (3 x 16 x 112 x 112 x 3 uint8), clips 0 and 1 close in time, clip 2 anywhere \
            in the same video. Needs --batch-size >= 2 (other videos are the negatives). Regenerate the shards \
            with a growing progress for gradual sampling. Writes hico.safetensors to --checkpoint-dir.

            --reversed-negatives (not in the reference): each video's clip 0 played backwards is one more \
            negative in both losses, so appearance alone cannot tell a video's clips from the others.
            """)

    @OptionGroup var training: TrainingOptions
    @OptionGroup var backbone: PretextBackboneOptions

    @Flag(name: .customLong("reversed-negatives"), help: "Add each video's clip 0 played backwards as a negative (not in the reference).")
    var reversedNegatives = false

    func run() throws {
        try PretextTraining.failing("hico") {
            training.applyThreads()
            var generator = RandomGenerator(seed: training.seed)
            let model = try HiCoModel(backbone.configuration, reversedNegatives: reversedNegatives, generator: &generator)
            try PretextTraining.run(task: "hico", model: model, options: training, backbone: backbone) { batch in
                try model.losses(triples: batch.tensor("clips.npy")).total
            }
        }
    }
}

struct TrainCMDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cmd",
        abstract: "Train CMD (dense motion InfoNCE + clip-keyframe context InfoNCE) on shards from Pipelines/cmd.yaml.",
        discussion: """
            Each sample: clip.npy, motion.npy, negatives.npy, keyframe.npy (see `vidi pretext cmd`). Needs \
            --batch-size >= 2. A per-position MLP stands in for the official transformer predictor (see \
            Sources/VidiPretext/CMDModel.swift). Writes cmd.safetensors to --checkpoint-dir.

            Not in the reference: --context-weight scales the context loss (0 trains the motion loss alone); \
            --reversed-negatives adds each positive's maps with every vector negated as one more negative, so \
            the prediction must carry the direction of motion, not only where it is.
            """)

    @OptionGroup var training: TrainingOptions
    @OptionGroup var backbone: PretextBackboneOptions

    @Option(name: .customLong("context-weight"), help: "Weight of the clip-keyframe context loss (reference: 1; 0 = motion loss only).")
    var contextWeight: Float = 1

    @Flag(name: .customLong("reversed-negatives"), help: "Add the positive's motion maps with negated vectors as a negative (not in the reference).")
    var reversedNegatives = false

    func run() throws {
        try PretextTraining.failing("cmd") {
            training.applyThreads()
            var generator = RandomGenerator(seed: training.seed)
            let model = try CMDModel(backbone.configuration, objective: CMDObjective(contextWeight: contextWeight, reversedNegatives: reversedNegatives),
                                     generator: &generator)
            try PretextTraining.run(task: "cmd", model: model, options: training, backbone: backbone) { batch in
                try model.losses(clip: batch.tensor("clip.npy"), motion: batch.tensor("motion.npy"),
                                 negatives: batch.tensor("negatives.npy"), keyframe: batch.tensor("keyframe.npy")).total
            }
        }
    }
}
