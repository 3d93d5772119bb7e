import ArgumentParser
import Foundation
import VidiTensor
import VidiTraining

/// The options every `vidi train <model>` subcommand shares (`@OptionGroup var training: TrainingOptions`):
/// data, length, optimizer schedule, checkpoints, resume, threads.
struct TrainingOptions: ParsableArguments {
    @Option(help: "Training shards: paths or brace patterns (out/{00000..00009}.tar, {a,b}.tar); several separated by '::'. Required except by `train vos`, which renders its clips.")
    var shards: String?

    @Option(name: .customLong("val-shards"), help: "Validation shards (same syntax), read whole at every validation.")
    var validationShards: String?

    @Option(name: .customLong("batch-size"), help: "Samples per batch (default 32; `train vos`: 1 clip).")
    var batchSizeOption: Int?

    /// --batch-size, or the default of the data: 32 samples, or `clips` for generated VOS clips.
    func batchSize(default value: Int = 32) -> Int { batchSizeOption ?? value }

    @Option(help: "Stop after this many optimizer steps (default: when --epochs are done).")
    var steps: Int?

    @Option(help: "Passes over the training shards (default 1 when --steps is not given; else repeat until --steps).")
    var epochs: Int?

    @Option(help: "Base learning rate.")
    var lr: Float = 1e-3

    @Option(help: "Learning-rate schedule: constant, step (x --gamma every --step-every steps) or cosine (to 0 at the last step).")
    var schedule = "cosine"

    @Option(help: "Linear warm-up steps from 0 to --lr.")
    var warmup = 0

    @Option(name: .customLong("step-every"), help: "Steps between decays of the step schedule (default: a third of the run).")
    var stepEvery: Int?

    @Option(help: "Decay factor of the step schedule.")
    var gamma: Float = 0.1

    @Option(name: .customLong("weight-decay"), help: "AdamW weight decay.")
    var weightDecay: Float = 0.01

    @Option(help: "Clip the global gradient L2 norm to this value.")
    var clip: Float?

    @Option(help: "Micro-batches whose gradients are summed before each optimizer step.")
    var accumulate = 1

    @Option(help: "Seed for initialisation, shuffling and augmentation.")
    var seed: UInt64 = 0

    @Option(name: .customLong("shuffle-buffer"), help: "Samples held in the shuffle buffer (0: read in order).")
    var shuffleBuffer = 1000

    @Option(name: .customLong("shuffle-buffer-mb"), help: "At most this many MB of samples in the shuffle buffer, whatever --shuffle-buffer says (0: no limit). Pretext samples are megabytes each.")
    var shuffleBufferMB = 1024

    @Option(name: .customLong("checkpoint-dir"), help: "Checkpoints (step-N.safetensors), train_log.jsonl and metrics.jsonl go here.")
    var checkpointDirectory: String?

    @Option(name: .customLong("checkpoint-every"), help: "Steps between checkpoints (0: only at the end).")
    var checkpointEvery = 0

    @Option(name: .customLong("keep-checkpoints"), help: "Newest step checkpoints kept in --checkpoint-dir; older ones are deleted (0: keep every one).")
    var keepCheckpoints = 2

    @Option(name: .customLong("val-every"), help: "Steps between validations (0: only at the end).")
    var validationEvery = 0

    @Flag(help: "Continue from the newest checkpoint in --checkpoint-dir; the result equals an uninterrupted run.")
    var resume = false

    @Option(help: "Compute threads for the model (default: every core).")
    var threads: Int?

    @Option(name: .customLong("decode-threads"), help: "Threads decoding samples in the background.")
    var decodeThreads = 2

    @Option(help: "This process's rank of --world-size (each reads a disjoint share of the shards).")
    var rank = 0

    @Option(name: .customLong("world-size"), help: "Processes sharing the shards.")
    var worldSize = 1

    func validate() throws {
        guard batchSize() >= 1, accumulate >= 1, decodeThreads >= 1, shuffleBuffer >= 0, shuffleBufferMB >= 0,
              keepCheckpoints >= 0 else {
            throw ValidationError("--batch-size, --accumulate and --decode-threads must be >= 1, --shuffle-buffer, --shuffle-buffer-mb and --keep-checkpoints >= 0")
        }
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if resume && checkpointDirectory == nil { throw ValidationError("--resume needs --checkpoint-dir") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    /// Shares the cores through the one compute budget: --threads, else all of them (call once, before training).
    func applyThreads() {
        if let threads { ComputeBudget.configure(workers: 1, cores: threads) } else { ComputeBudget.configure(workers: 1) }
    }

    /// The training reader's options.
    func trainingLoader() throws -> WebDatasetOptions {
        guard let shards else { throw ValidationError("--shards is required: the training data") }
        var options = WebDatasetOptions(shards: try ShardPattern.expand(shards), batchSize: batchSize())
        options.shuffleBuffer = shuffleBuffer
        options.shuffleBufferBytes = shuffleBufferMB << 20
        options.shuffleShards = shuffleBuffer > 1
        options.seed = seed
        options.epochs = epochs ?? (steps == nil ? 1 : nil)
        options.decodeThreads = decodeThreads
        options.rank = rank
        options.worldSize = worldSize
        return options
    }

    /// The validation reader's options (in order, no shuffle), if --val-shards was given.
    func validationLoader() throws -> WebDatasetOptions? {
        guard let validationShards else { return nil }
        var options = WebDatasetOptions(shards: try ShardPattern.expand(validationShards), batchSize: batchSize())
        options.decodeThreads = decodeThreads
        return options
    }

    /// The loop's configuration; a schedule that needs the run's length gets it from --steps, or else by
    /// counting the samples of this rank's shards (nil `training`: a generated stream, which needs --steps).
    func configuration(training: WebDatasetOptions?) throws -> TrainingConfiguration {
        var totalSteps = steps ?? 0
        if steps == nil, schedule != "constant" {
            guard let training else { throw ValidationError("--steps is required: the training clips never run out") }
            let samples = WebDatasetInspection.countSamples(in: training.shards(forEpoch: 0))
            let batches = (samples + batchSize() - 1) / batchSize()
            totalSteps = max(1, (batches * (epochs ?? 1) + accumulate - 1) / accumulate)
        }
        var configuration = TrainingConfiguration(
            schedule: try LearningRateSchedule.named(schedule, base: lr, warmupSteps: warmup, totalSteps: max(totalSteps, warmup),
                                                     stepEvery: stepEvery, gamma: gamma))
        configuration.maxSteps = steps
        configuration.accumulation = accumulate
        configuration.clipNorm = clip
        configuration.checkpointDirectory = checkpointDirectory
        configuration.checkpointEvery = checkpointEvery
        configuration.keepCheckpoints = keepCheckpoints == 0 ? Int.max : keepCheckpoints
        configuration.validationEvery = validationEvery
        configuration.seed = seed
        configuration.resume = resume
        return configuration
    }
}
