import Foundation
import Testing
import VidiNN
import VidiTensor
import VidiTestSupport
@testable import VidiTraining

@Suite struct TrainerTests {
    /// A small classifier with dropout, so module generators matter for resuming.
    static func model(seed: UInt64) -> Sequential {
        var generator = RandomGenerator(seed: seed)
        return Sequential([Linear(4, 16, generator: &generator), ReLU(), Dropout(probability: 0.2, seed: seed &+ 1),
                           Linear(16, 3, generator: &generator)])
    }

    struct Setup {
        let model: Sequential
        let optimizer: AdamW
        let trainer: Trainer
        let training: WebDatasetOptions
        let validation: WebDatasetOptions
    }

    /// Everything a run has: AdamW, accumulation 2, clipping, cosine with warm-up, a shuffled stream over
    /// epoch boundaries, augmentation noise from the trainer's generator, validation with accuracy, and
    /// checkpoints every 3 steps.
    static func setup(shards: [String], validation: [String], directory: String, modelSeed: UInt64, resume: Bool,
                      stopAfter: Int? = nil) throws -> Setup {
        let model = Self.model(seed: modelSeed)
        let optimizer = try AdamW(model.parameters, learningRate: 0.01, weightDecay: 0.01)
        var configuration = TrainingConfiguration(schedule: try LearningRateSchedule(base: 0.02, kind: .cosine(totalSteps: 12, minimum: 0.001), warmupSteps: 3))
        configuration.maxSteps = 12
        configuration.accumulation = 2
        configuration.clipNorm = 1
        configuration.checkpointDirectory = directory
        configuration.checkpointEvery = 3
        configuration.validationEvery = 4
        configuration.seed = 99
        configuration.resume = resume
        let trainer = Trainer(model: model, optimizer: optimizer, configuration: configuration) { batch, generator in
            var input = try batch.tensor("input.npy")
            input = try input + Tensor.normal(input.shape, std: 0.05, generator: &generator)
            return try Losses.crossEntropy(model(input), batch.tensor("cls"))
        }
        trainer.evaluate = { batch in
            let logits = try model(batch.tensor("input.npy"))
            let correct = try logits.argmax(axis: 1).eq(batch.tensor("cls")).to(.float32).sum().item()
            return ["accuracy": MetricSum(sum: Double(correct), count: Double(batch.count))]
        }
        if let stopAfter {
            var steps = 0
            trainer.onEvent = { event in if case .step = event { steps += 1 } }
            trainer.stopRequested = { steps >= stopAfter }
        }
        var training = WebDatasetOptions(shards: shards, batchSize: 5)
        training.shuffleBuffer = 7
        training.shuffleShards = true
        training.seed = 5
        var validationOptions = WebDatasetOptions(shards: validation, batchSize: 8)
        validationOptions.decodeThreads = 1
        return Setup(model: model, optimizer: optimizer, trainer: trainer, training: training, validation: validationOptions)
    }

    static func bits(_ tensors: [String: Tensor]) -> [String: [UInt32]] {
        tensors.mapValues { t in t.dtype == .float32 ? t.scalars.map(\.bitPattern) : t.scalars.map { UInt32(bitPattern: Int32($0)) } }
    }

    static func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// Must-show invariant: 12 steps straight equal 5 steps, a stop (the last checkpoint is at step 3, so
    /// steps 4-5 are lost and their log lines dropped), and a resume from a freshly initialised model:
    /// parameters, optimizer state, generator, loss log and metrics log are identical, bit for bit.
    @Test func resumedRunIsBitIdenticalToAnUninterruptedOne() throws {
        let root = try Fixtures.temporaryDirectory("resume")
        let shards = try ShardFixtures.write(in: root.appendingPathComponent("train"), shards: 3, perShard: 9)
        let validation = try ShardFixtures.write(in: root.appendingPathComponent("val"), shards: 1, perShard: 10, seed: 2)
        let straightDirectory = root.appendingPathComponent("straight").path
        let resumedDirectory = root.appendingPathComponent("resumed").path

        let straight = try Self.setup(shards: shards, validation: validation, directory: straightDirectory, modelSeed: 1, resume: false)
        let straightSummary = try straight.trainer.fit(training: straight.training, validation: straight.validation)
        #expect(straightSummary.state.step == 12 && !straightSummary.interrupted)

        let killed = try Self.setup(shards: shards, validation: validation, directory: resumedDirectory, modelSeed: 1, resume: false, stopAfter: 5)
        let killedSummary = try killed.trainer.fit(training: killed.training, validation: killed.validation)
        #expect(killedSummary.interrupted && killedSummary.state.step == 5)
        #expect(TrainingCheckpoint.latest(in: resumedDirectory) == TrainingCheckpoint.path(in: resumedDirectory, step: 3))
        #expect(Self.text(resumedDirectory + "/train_log.jsonl").split(separator: "\n").count == 5)

        let resumed = try Self.setup(shards: shards, validation: validation, directory: resumedDirectory, modelSeed: 777, resume: true)
        var resumedFrom: Int?
        resumed.trainer.onEvent = { event in if case .resumed(_, let state) = event { resumedFrom = state.step } }
        let resumedSummary = try resumed.trainer.fit(training: resumed.training, validation: resumed.validation)
        #expect(resumedFrom == 3)

        #expect(Self.bits(resumed.model.stateDict()) == Self.bits(straight.model.stateDict()), "parameters differ")
        #expect(Self.bits(resumed.optimizer.stateTensors) == Self.bits(straight.optimizer.stateTensors), "optimizer state differs")
        #expect(resumedSummary.state == straightSummary.state)
        let dropout = try #require(resumed.model.layers[2] as? Dropout), straightDropout = try #require(straight.model.layers[2] as? Dropout)
        #expect(dropout.generator.state == straightDropout.generator.state)
        let log = Self.text(straightDirectory + "/train_log.jsonl")
        #expect(log.split(separator: "\n").count == 12)
        #expect(Self.text(resumedDirectory + "/train_log.jsonl") == log)
        #expect(Self.text(resumedDirectory + "/metrics.jsonl") == Self.text(straightDirectory + "/metrics.jsonl"))
        #expect(Self.text(straightDirectory + "/metrics.jsonl").split(separator: "\n").count == 3)  // steps 4, 8, 12
        // The final checkpoints hold the same bytes.
        let a = try Data(contentsOf: URL(fileURLWithPath: TrainingCheckpoint.path(in: straightDirectory, step: 12)))
        let b = try Data(contentsOf: URL(fileURLWithPath: TrainingCheckpoint.path(in: resumedDirectory, step: 12)))
        #expect(a == b)
    }

    /// Invariant: a checkpoint holds every state-dict entry, every optimizer state tensor, the counters and
    /// every generator; loading it into another model with other shapes fails without changing it.
    @Test func checkpointHoldsEveryStateAndRejectsAnotherModel() throws {
        let directory = try Fixtures.temporaryDirectory("checkpoint").path
        let model = Self.model(seed: 3)
        let optimizer = try Adam(model.parameters, amsgrad: true)
        let input = Tensor.normal([2, 4], generator: &Self.generator)
        try Losses.crossEntropy(model(input), try Tensor([0, 2] as [Int64], shape: [2])).backward()
        try optimizer.step()
        let state = TrainingState(step: 1, samples: 2, position: ReaderPosition(epoch: 1, sample: 4), generator: RandomGenerator(seed: 4))
        let path = try TrainingCheckpoint.save(model: model, optimizer: optimizer, state: state, directory: directory)
        let names = Set(try SafetensorsFile(path: path).names)
        #expect(names.isSuperset(of: model.stateDict().keys.map { "model." + $0 }))
        #expect(names.isSuperset(of: optimizer.stateTensors.keys.map { "optimizer." + $0 }))
        #expect(optimizer.stateTensors.count == 4 * 4)  // 4 parameters x (exp_avg, exp_avg_sq, max_exp_avg_sq, step)
        #expect(names.isSuperset(of: ["trainer.step", "trainer.samples", "reader.epoch", "reader.sample", "rng.trainer", "rng.module.2"]))

        let restoredModel = Self.model(seed: 8)
        let restoredOptimizer = try Adam(restoredModel.parameters, amsgrad: true)
        #expect(try TrainingCheckpoint.load(path: path, model: restoredModel, optimizer: restoredOptimizer) == state)
        #expect(Self.bits(restoredModel.stateDict()) == Self.bits(model.stateDict()))

        var generator = RandomGenerator(seed: 1)
        let other = Sequential([Linear(4, 5, generator: &generator)])
        let before = Self.bits(other.stateDict())
        #expect(throws: TrainingError.self) { try TrainingCheckpoint.load(path: path, model: other, optimizer: try Adam(other.parameters)) }
        #expect(Self.bits(other.stateDict()) == before)
        #expect(throws: TrainingError.self) { try TrainingCheckpoint.load(path: path, model: restoredModel, optimizer: try SGD(restoredModel.parameters, learningRate: 0.1)) }
    }

    nonisolated(unsafe) static var generator = RandomGenerator(seed: 12)

    /// The model learns the labels (the largest of the first three features): held-out accuracy well above
    /// chance (1/3) after 6 epochs; the run ends when the reader's epochs do.
    @Test func epochBasedTrainingLearnsAndStopsAtTheEnd() throws {
        let root = try Fixtures.temporaryDirectory("epochs")
        let shards = try ShardFixtures.write(in: root.appendingPathComponent("train"), shards: 2, perShard: 40)
        let validation = try ShardFixtures.write(in: root.appendingPathComponent("val"), shards: 1, perShard: 60, seed: 9)
        var generator = RandomGenerator(seed: 5)
        let model = Sequential([Linear(4, 32, generator: &generator), ReLU(), Linear(32, 3, generator: &generator)])
        var configuration = TrainingConfiguration(schedule: try LearningRateSchedule(base: 0.05))
        configuration.logDirectory = root.appendingPathComponent("logs").path
        let trainer = Trainer(model: model, optimizer: try Adam(model.parameters, learningRate: 0.05), configuration: configuration) { batch, _ in
            try Losses.crossEntropy(model(batch.tensor("input.npy")), batch.tensor("cls"))
        }
        trainer.evaluate = { batch in
            let correct = try model(batch.tensor("input.npy")).argmax(axis: 1).eq(batch.tensor("cls")).to(.float32).sum().item()
            return ["accuracy": MetricSum(sum: Double(correct), count: Double(batch.count))]
        }
        var training = WebDatasetOptions(shards: shards, batchSize: 8)
        training.epochs = 6
        training.shuffleBuffer = 20
        let summary = try trainer.fit(training: training, validation: WebDatasetOptions(shards: validation, batchSize: 16))
        #expect(summary.state.step == 60)  // 6 epochs x 80 samples / 8
        #expect((summary.validation["accuracy"] ?? 0) > 0.8, "accuracy \(summary.validation)")
        #expect(Self.text(root.appendingPathComponent("logs/metrics.jsonl").path).contains("\"accuracy\""))
    }
}
