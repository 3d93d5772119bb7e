/// How long and how a `Trainer` trains; every `vidi train` subcommand fills one from `TrainingOptions`.
public struct TrainingConfiguration: Sendable {
    /// Stop after this many optimizer steps (nil: when the reader's epochs are done).
    public var maxSteps: Int?
    /// Micro-batches whose gradients add up before each optimizer step (loss scaled by 1/n, as in PyTorch).
    public var accumulation = 1
    public var schedule: LearningRateSchedule
    /// Clip the global L2 norm of the gradients to this (`clip_grad_norm_`), nil for none.
    public var clipNorm: Float?
    /// Checkpoints and logs go here (nil: no checkpoints, logs only if `logDirectory` is set).
    public var checkpointDirectory: String?
    /// `train_log.jsonl` (loss per step) and `metrics.jsonl` (validation) go here; default: the checkpoint
    /// directory.
    public var logDirectory: String?
    /// Write a checkpoint every this many steps (0: only at the end).
    public var checkpointEvery = 0
    /// Checkpoints kept on disk (oldest deleted first).
    public var keepCheckpoints = 2
    /// Validate every this many steps (0: only at the end, when a validation split is given).
    public var validationEvery = 0
    /// Seeds the trainer's generator (handed to the loss closure for augmentation).
    public var seed: UInt64 = 0
    /// Continue from the newest checkpoint in `checkpointDirectory`, if there is one.
    public var resume = false

    public init(schedule: LearningRateSchedule) {
        self.schedule = schedule
    }

    func validate() throws(TrainingError) {
        guard accumulation >= 1 else { throw .invalidOption("gradient accumulation \(accumulation) must be at least 1") }
        guard maxSteps.map({ $0 >= 0 }) ?? true, checkpointEvery >= 0, validationEvery >= 0, keepCheckpoints >= 1 else {
            throw .invalidOption("steps, checkpoint and validation intervals must be >= 0 and kept checkpoints >= 1")
        }
        guard clipNorm.map({ $0 > 0 && $0.isFinite }) ?? true else { throw .invalidOption("clip norm must be positive") }
        guard !resume || checkpointDirectory != nil else { throw .invalidOption("--resume needs a checkpoint directory") }
    }

    var logs: String? { logDirectory ?? checkpointDirectory }
}

/// A mean metric accumulated over a validation split: `sum / count`.
public struct MetricSum: Sendable, Equatable {
    public var sum: Double
    public var count: Double

    public init(sum: Double, count: Double) {
        self.sum = sum
        self.count = count
    }

    public var mean: Double { count > 0 ? sum / count : .nan }
}

/// What a `Trainer` reports while it runs (the CLI draws progress from these).
public enum TrainingEvent: Sendable {
    case resumed(path: String, state: TrainingState)
    case step(StepReport)
    case validation(step: Int, metrics: [String: Double])
    case checkpoint(path: String, step: Int)
}

/// One optimizer step.
public struct StepReport: Sendable, Equatable {
    public var step: Int
    public var epoch: Int
    /// Mean loss of the step's micro-batches.
    public var loss: Float
    public var learningRate: Float
    /// The gradient norm before clipping (nil without clipping).
    public var gradientNorm: Float?
    /// Samples trained on so far (whole run, including before a resume).
    public var samples: Int
    /// Samples per second since this process started training.
    public var samplesPerSecond: Double
    /// The step limit, when known.
    public var totalSteps: Int?
}

/// How a run ended.
public struct TrainingSummary: Sendable {
    public var state: TrainingState
    public var lastLoss: Float?
    public var validation: [String: Double]
    public var report: ReaderReport
    /// True when `stopRequested` ended the run early.
    public var interrupted: Bool
    public var checkpoint: String?
}
