import Foundation
import VidiNN
import VidiTensor

/// The training loop every model shares: reads batches from WebDataset shards, accumulates gradients,
/// sets the scheduled learning rate, clips, steps the optimizer, logs the loss per step
/// (`train_log.jsonl`), validates at intervals (`metrics.jsonl`), and checkpoints atomically. A run
/// resumed from a checkpoint produces the same parameters, optimizer state and logs, bit for bit, as one
/// that was never stopped: checkpoints are taken between optimizer steps and hold the reader's position
/// and every generator.
///
/// ```swift
/// let trainer = Trainer(model: model, optimizer: try AdamW(model.parameters), configuration: configuration) { batch, _ in
///     try Losses.crossEntropy(model(batch.tensor("input.npy")), batch.tensor("cls"))
/// }
/// let summary = try trainer.fit(training: trainOptions, validation: validationOptions)
/// ```
public final class Trainer {
    public typealias LossFunction = (Batch, inout RandomGenerator) throws -> Tensor
    public typealias Evaluation = (Batch) throws -> [String: MetricSum]

    public let model: Module
    public let optimizer: any Optimizer
    public let configuration: TrainingConfiguration
    private let loss: LossFunction
    /// Extra metrics over the validation split, next to its mean loss (accuracy, R@K, ...).
    public var evaluate: Evaluation?
    /// Metrics computed over the whole validation split at once (detection mAP).
    public var splitEvaluation: SplitEvaluation?
    /// Called after every event (progress display).
    public var onEvent: (TrainingEvent) -> Void = { _ in }
    /// Checked after every optimizer step; true stops the run there (SIGINT, a test's simulated kill).
    public var stopRequested: () -> Bool = { false }
    /// Write a checkpoint when `stopRequested` ends the run (Ctrl-C), so `--resume` loses nothing.
    public var checkpointOnStop = false

    public init(model: Module, optimizer: any Optimizer, configuration: TrainingConfiguration, loss: @escaping LossFunction) {
        self.model = model
        self.optimizer = optimizer
        self.configuration = configuration
        self.loss = loss
    }

    /// Trains on `training` (its `start` is replaced by a resumed checkpoint's position), validating on
    /// `validation` when given.
    public func fit(training: WebDatasetOptions, validation: WebDatasetOptions? = nil) throws -> TrainingSummary {
        try fit(source: { position in
            var options = training
            options.start = position
            return try WebDatasetLoader(options)
        }, validation: validation.map { options in { try self.validate(options) } })
    }

    /// Trains on the batches of `source`, which is opened at the run's position (the start, or a resumed
    /// checkpoint's). `validation` computes the validation metrics (every `validationEvery` steps and at
    /// the end); it runs outside the training stream and must not touch the trainer's generator.
    public func fit(source: (ReaderPosition) throws -> any BatchSource,
                    validation: (() throws -> [String: Double])?) throws -> TrainingSummary {
        try configuration.validate()
        var state = TrainingState(generator: RandomGenerator(seed: configuration.seed))
        if configuration.resume, let directory = configuration.checkpointDirectory,
           let path = TrainingCheckpoint.latest(in: directory) {
            state = try TrainingCheckpoint.load(path: path, model: model, optimizer: optimizer)
            onEvent(.resumed(path: path, state: state))
        }
        var run = Run(trainer: self, state: state, validation: validation)
        try run.openLogs(resumedAt: configuration.resume ? state.step : nil)
        let loader = try source(state.position)
        defer { loader.close() }
        try run.train(loader)
        return TrainingSummary(state: run.state, lastLoss: run.lastLoss, validation: run.lastValidation,
                               report: loader.report, interrupted: run.interrupted, checkpoint: run.lastCheckpoint)
    }

    /// Mean loss and metrics over a whole validation split, in evaluation mode without gradients. The
    /// loss closure gets a generator of its own, so validating never changes the training stream.
    public func validate(_ options: WebDatasetOptions) throws -> [String: Double] {
        var options = options
        options.epochs = 1
        options.start = ReaderPosition()
        let loader = try WebDatasetLoader(options)
        defer { loader.close() }
        model.eval()
        defer { model.train() }
        var totals: [String: MetricSum] = [:]
        var generator = RandomGenerator(seed: configuration.seed ^ 0x5641_4C49_4441_5445)
        splitEvaluation?.begin()
        try withNoGrad {
            while let batch = try loader.nextBatch() {
                let value = try loss(batch, &generator).item()
                totals["loss", default: MetricSum(sum: 0, count: 0)].sum += Double(value) * Double(batch.count)
                totals["loss"]?.count += Double(batch.count)
                for (name, metric) in try evaluate?(batch) ?? [:] {
                    totals[name, default: MetricSum(sum: 0, count: 0)].sum += metric.sum
                    totals[name]?.count += metric.count
                }
                try splitEvaluation?.add(batch)
            }
        }
        var metrics = totals.mapValues(\.mean)
        if let splitEvaluation { try withNoGrad { metrics.merge(try splitEvaluation.finish()) { _, split in split } } }
        return metrics
    }

    /// The mutable side of one `fit` call.
    private struct Run {
        let trainer: Trainer
        var state: TrainingState
        let validation: (() throws -> [String: Double])?
        var trainLog: JSONLinesLog?
        var metricsLog: JSONLinesLog?
        var lastLoss: Float?
        var lastValidation: [String: Double] = [:]
        var lastCheckpoint: String?
        var interrupted = false
        var checkpointedAt: Int?
        let clock = ContinuousClock()
        let started: ContinuousClock.Instant
        let samplesAtStart: Int

        init(trainer: Trainer, state: TrainingState, validation: (() throws -> [String: Double])?) {
            self.trainer = trainer
            self.state = state
            self.validation = validation
            started = clock.now
            samplesAtStart = state.samples
            checkpointedAt = trainer.configuration.resume && state.step > 0 ? state.step : nil
        }

        var configuration: TrainingConfiguration { trainer.configuration }

        mutating func openLogs(resumedAt step: Int?) throws {
            guard let directory = configuration.logs else { return }
            trainLog = try JSONLinesLog(path: (directory as NSString).appendingPathComponent("train_log.jsonl"), keepThroughStep: step)
            if validation != nil {
                metricsLog = try JSONLinesLog(path: (directory as NSString).appendingPathComponent("metrics.jsonl"), keepThroughStep: step)
            }
        }

        mutating func train(_ loader: any BatchSource) throws {
            let model = trainer.model
            model.train()
            trainer.optimizer.zeroGrad()
            var microBatches = 0
            var lossSum = 0.0
            var epoch = state.position.epoch
            while !(configuration.maxSteps.map { state.step >= $0 } ?? false) {
                guard let batch = try loader.nextBatch() else { break }
                epoch = batch.epoch
                let value = try trainer.loss(batch, &state.generator)
                let scalar = try value.item()
                guard scalar.isFinite else { throw TrainingError.nonFiniteLoss(step: state.step, value: scalar) }
                try (configuration.accumulation > 1 ? value / Float(configuration.accumulation) : value).backward()
                microBatches += 1
                lossSum += Double(scalar)
                state.samples += batch.count
                state.position = batch.position
                guard microBatches == configuration.accumulation else { continue }
                try optimizerStep(loss: Float(lossSum / Double(microBatches)), epoch: epoch)
                microBatches = 0
                lossSum = 0
                if trainer.stopRequested() {
                    interrupted = true
                    if trainer.checkpointOnStop, checkpointedAt != state.step { try checkpoint() }
                    return
                }
            }
            // The data ended inside an accumulation group: step with what was gathered.
            if microBatches > 0 { try optimizerStep(loss: Float(lossSum / Double(microBatches)), epoch: epoch) }
            if validation != nil, state.validatedStep != state.step { try validate(epoch: epoch) }
            if configuration.checkpointDirectory != nil, checkpointedAt != state.step { try checkpoint() }
        }

        mutating func optimizerStep(loss: Float, epoch: Int) throws {
            let optimizer = trainer.optimizer
            let rate = configuration.schedule.learningRate(at: state.step)
            optimizer.learningRate = rate
            var norm: Float?
            if let clip = configuration.clipNorm {
                norm = try GradientClipping.clipByNorm(optimizer.parameters, maxNorm: clip)
            }
            try optimizer.step()
            optimizer.zeroGrad()
            state.step += 1
            lastLoss = loss
            var fields: [(String, JSONLinesLog.Value)] = [("step", .int(state.step)), ("epoch", .int(epoch)),
                                                          ("loss", .float(loss)), ("lr", .float(rate))]
            if let norm { fields.append(("grad_norm", .float(norm))) }
            try trainLog?.write(fields)
            let seconds = (clock.now - started) / .seconds(1)
            trainer.onEvent(.step(StepReport(step: state.step, epoch: epoch, loss: loss, learningRate: rate, gradientNorm: norm,
                                             samples: state.samples,
                                             samplesPerSecond: seconds > 0 ? Double(state.samples - samplesAtStart) / seconds : 0,
                                             totalSteps: configuration.maxSteps)))
            if validation != nil, configuration.validationEvery > 0, state.step % configuration.validationEvery == 0 {
                try validate(epoch: epoch)
            }
            if configuration.checkpointDirectory != nil, configuration.checkpointEvery > 0,
               state.step % configuration.checkpointEvery == 0 {
                try checkpoint()
            }
        }

        mutating func validate(epoch: Int) throws {
            guard let validation else { return }
            let metrics = try validation()
            lastValidation = metrics
            state.validatedStep = state.step
            var fields: [(String, JSONLinesLog.Value)] = [("step", .int(state.step)), ("epoch", .int(epoch)), ("split", .string("validation"))]
            for name in metrics.keys.sorted() { fields.append((name, .double(metrics[name] ?? .nan))) }
            try metricsLog?.write(fields)
            trainer.onEvent(.validation(step: state.step, metrics: metrics))
        }

        mutating func checkpoint() throws {
            guard let directory = configuration.checkpointDirectory else { return }
            let path = try TrainingCheckpoint.save(model: trainer.model, optimizer: trainer.optimizer, state: state,
                                                   directory: directory, keep: configuration.keepCheckpoints)
            lastCheckpoint = path
            checkpointedAt = state.step
            trainer.onEvent(.checkpoint(path: path, step: state.step))
        }
    }
}
