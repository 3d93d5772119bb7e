import Foundation
import Testing
import VidiNN
import VidiTensor
import VidiTestSupport
import VidiTraining
@testable import VidiSegmentation

/// `vidi train vos`'s pieces on the shared training runtime: the loss learns, an interrupted and resumed
/// run equals an uninterrupted one bit for bit, self-correction's perturbation is seeded and bounded.
@Suite struct VOSTrainingTests {
    static let clipOptions = SyntheticVOSOptions(width: 32, height: 32, frames: 12, objects: 1...2, distractors: 0)

    static func network(seed: UInt64, rde: Bool = true) -> STCN {
        var generator = RandomGenerator(seed: seed)
        return STCN(.small(rde: rde), generator: &generator)
    }

    /// A run with everything `vidi train vos` uses: AdamW with a cosine schedule, self-correction,
    /// checkpoints every 2 steps, validation J&F every 2 steps.
    static func trainer(network: STCN, directory: String, steps: Int, resume: Bool) throws -> (Trainer, VOSTrainingLoss) {
        let loss = VOSTrainingLoss(network: network, warmupClips: 2)
        let optimizer = try AdamW(network.parameters, learningRate: 1e-3, weightDecay: 0.01)
        var configuration = TrainingConfiguration(schedule: try LearningRateSchedule.named("cosine", base: 1e-3, warmupSteps: 1, totalSteps: steps,
                                                                                            stepEvery: nil, gamma: 0.1))
        configuration.maxSteps = steps
        configuration.checkpointDirectory = directory
        configuration.checkpointEvery = 2
        configuration.validationEvery = 2
        configuration.seed = 11
        configuration.resume = resume
        let trainer = Trainer(model: network, optimizer: optimizer, configuration: configuration) { batch, generator in
            try loss(batch, generator: &generator)
        }
        return (trainer, loss)
    }

    static func fit(_ trainer: Trainer, network: STCN) throws -> TrainingSummary {
        let source = SyntheticClipSampler(options: clipOptions, sequences: 3, length: 3, seed: 5)
        let validation = VOSValidation(options: SyntheticVOSOptions(width: 32, height: 32, frames: 4, objects: 1...1, distractors: 0),
                                       sequences: 1, seed: 6, segmenter: SegmenterOptions(memory: .rde))
        return try trainer.fit(source: { VOSClipStream(source: source, start: $0) }, validation: { try validation.evaluate(network) })
    }

    static func bits(_ tensors: [String: Tensor]) -> [String: [UInt32]] {
        tensors.mapValues { t in t.dtype == .float32 ? t.scalars.map(\.bitPattern) : t.scalars.map { UInt32(bitPattern: Int32($0)) } }
    }

    static func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// Must-show: 4 steps straight equal 3 steps, a stop (last checkpoint at step 2, step 3 lost) and a
    /// resume into a differently initialised network: weights, optimizer state, the loss log and the
    /// validation log (J&F) are identical, bit for bit.
    @Test func resumedRunIsBitIdenticalToAnUninterruptedOne() throws {
        let root = try Fixtures.temporaryDirectory("vos-resume").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let straightNetwork = Self.network(seed: 1)
        let (straight, _) = try Self.trainer(network: straightNetwork, directory: root + "/straight", steps: 4, resume: false)
        let straightSummary = try Self.fit(straight, network: straightNetwork)
        #expect(straightSummary.state.step == 4 && !straightSummary.interrupted)

        let killedNetwork = Self.network(seed: 1)
        let (killed, _) = try Self.trainer(network: killedNetwork, directory: root + "/resumed", steps: 4, resume: false)
        var steps = 0
        killed.onEvent = { event in if case .step = event { steps += 1 } }
        killed.stopRequested = { steps >= 3 }
        #expect(try Self.fit(killed, network: killedNetwork).interrupted)

        let resumedNetwork = Self.network(seed: 99)
        let (resumed, _) = try Self.trainer(network: resumedNetwork, directory: root + "/resumed", steps: 4, resume: true)
        let resumedSummary = try Self.fit(resumed, network: resumedNetwork)
        #expect(resumedSummary.state == straightSummary.state)
        #expect(Self.bits(resumedNetwork.stateDict()) == Self.bits(straightNetwork.stateDict()), "weights differ")
        #expect(Self.bits(resumed.optimizer.stateTensors) == Self.bits(straight.optimizer.stateTensors), "optimizer state differs")
        let log = Self.text(root + "/straight/train_log.jsonl")
        #expect(log.split(separator: "\n").count == 4)
        #expect(Self.text(root + "/resumed/train_log.jsonl") == log)
        let metrics = Self.text(root + "/straight/metrics.jsonl")
        #expect(metrics.split(separator: "\n").count == 2 && metrics.contains("J&F-Mean"))
        #expect(Self.text(root + "/resumed/metrics.jsonl") == metrics)
    }

    /// Must-show: the loss on a fixed set of clips (same perturbations: same generator seed) is lower
    /// after a short run on those clips than before it.
    @Test func lossGoesDownOnATinyRun() throws {
        let network = Self.network(seed: 2, rde: false)
        let loss = VOSTrainingLoss(network: network, warmupClips: 1_000)
        let source = SyntheticClipSampler(options: Self.clipOptions, sequences: 1, length: 3, seed: 8)
        let clips = try (0..<3).map { try source.clip(at: $0) }
        func heldLoss() throws -> Float {
            var generator = RandomGenerator(seed: 4)
            return try withNoGrad { try clips.map { try loss.loss($0, clipsSeen: 0, generator: &generator).item() }.reduce(0, +) / 3 }
        }
        let before = try heldLoss()
        let optimizer = try Adam(network.parameters, learningRate: 2e-3)
        var generator = RandomGenerator(seed: 5)
        for step in 0..<15 {
            optimizer.zeroGrad()
            try loss.loss(clips[step % 3], clipsSeen: step, generator: &generator).backward()
            try optimizer.step()
        }
        let after = try heldLoss()
        #expect(after < 0.8 * before, "loss \(before) -> \(after)")
    }

    /// Invariant (what BENCHMARKS.md's collapse diagnosis rests on): the loss runs BatchNorm with frozen
    /// statistics even when the trainer has put the network in training mode, so after optimizer steps at
    /// learning rate 0 every tensor of the state dict (BatchNorm buffers included) is unchanged bit for bit,
    /// and at a real rate the weights move while the BatchNorm buffers still do not.
    @Test func trainingStepsNeverTouchBatchNormStatistics() throws {
        let network = Self.network(seed: 3)
        let loss = VOSTrainingLoss(network: network, warmupClips: 0)
        let source = SyntheticClipSampler(options: Self.clipOptions, sequences: 2, length: 3, seed: 9)
        let before = Self.bits(network.stateDict())
        var generator = RandomGenerator(seed: 10)
        func steps(_ optimizer: AdamW, _ count: Int) throws {
            for index in 0..<count {
                network.train()  // what `Trainer` does before its loop
                optimizer.zeroGrad()
                try loss.loss(try source.clip(at: index), clipsSeen: index, generator: &generator).backward()
                try optimizer.step()
            }
        }
        func changed() -> [String] { Self.bits(network.stateDict()).filter { before[$0.key] != $0.value }.keys.sorted() }
        try steps(try AdamW(network.parameters, learningRate: 0, weightDecay: 0), 2)
        #expect(changed() == [], "zero-rate steps changed these tensors")

        try steps(try AdamW(network.parameters, learningRate: 1e-3, weightDecay: 0), 1)
        let buffers = Set(network.namedBuffers().map(\.name))
        #expect(buffers.contains { $0.hasSuffix("running_var") })
        let moved = changed()
        #expect(moved.filter(buffers.contains) == [], "a training step changed BatchNorm statistics")
        #expect(!moved.isEmpty, "a real step moved no weight")
    }

    /// Hand-checked: a 3x3 square in a 9x9 frame dilates to the 5x5 square around it and erodes to its
    /// centre pixel.
    static func square(frame: Int, from low: Int, side: Int) -> [Bool] {
        let rows = low..<(low + side)
        return (0..<(frame * frame)).map { (i: Int) -> Bool in rows.contains(i / frame) && rows.contains(i % frame) }
    }

    @Test func oneMorphologyPassIsTheHandComputedSquare() {
        let square = Self.square(frame: 9, from: 3, side: 3)
        let dilated = MaskPerturbation.pass(square, width: 9, height: 9, dilate: true)
        #expect(dilated == Self.square(frame: 9, from: 2, side: 5))
        let eroded = MaskPerturbation.pass(square, width: 9, height: 9, dilate: false)
        #expect(eroded == Self.square(frame: 9, from: 4, side: 1))
    }

    /// Hand-checked bound: a 30x30 square in a 64x64 frame, 2 passes at most. One dilation gives IoU
    /// 900/32^2 = 0.879, one erosion 28^2/900 = 0.871; a second pass follows only when that IoU still is
    /// >= the drawn target (in [0.85, 1]). So the result is a 26-, 28-, 32- or 34-pixel square, no pixel
    /// moves more than 2 pixels from the boundary, and the same seed gives the same mask.
    @Test func perturbationIsSeededAndBounded() {
        let (side, offset) = (30, 17)
        let square = Self.square(frame: 64, from: offset, side: side)
        let perturbation = MaskPerturbation(minimumIoU: 0.85, maxPasses: 2)
        var sides: Set<Int> = []
        for seed in UInt64(0)..<40 {
            var a = RandomGenerator(seed: seed), b = RandomGenerator(seed: seed)
            let (mask, target) = perturbation.perturb(square, width: 64, height: 64, generator: &a)
            #expect(mask == perturbation.perturb(square, width: 64, height: 64, generator: &b).mask)
            #expect(target >= 0.85 && target <= 1)
            let count = mask.filter { $0 }.count
            let grown = count > side * side
            let firstIoU = grown ? 900.0 / 1024 : 784.0 / 900
            let passes = firstIoU >= target ? 2 : 1
            let expectedSide = grown ? side + 2 * passes : side - 2 * passes
            #expect(count == expectedSide * expectedSide, "seed \(seed): \(count) pixels, target \(target)")
            let low = offset - (expectedSide - side) / 2
            #expect(mask == Self.square(frame: 64, from: low, side: expectedSide))
            sides.insert(expectedSide)
        }
        #expect(sides.count >= 3)  // both directions and both pass counts occur
    }

    /// Clip n of a stream is the same whatever was read before (what makes `--resume` exact), and bad
    /// sample members are errors.
    @Test func clipStreamRestartsAtAPositionAndRejectsBadSamples() throws {
        let source = SyntheticClipSampler(options: Self.clipOptions, sequences: 3, length: 3, seed: 5)
        let stream = VOSClipStream(source: source, batchSize: 2)
        _ = try stream.nextBatch()
        let later = try #require(try stream.nextBatch())
        let restarted = try #require(try VOSClipStream(source: source, batchSize: 2, start: ReaderPosition(epoch: 0, sample: 2)).nextBatch())
        #expect(later.keys == ["clip-00000002", "clip-00000003"] && restarted.keys == later.keys)
        let clips = try VOSClip.clips(in: later), again = try VOSClip.clips(in: restarted)
        #expect(clips.map(\.frames) == again.map(\.frames) && clips.map(\.masks) == again.map(\.masks))
        #expect(clips[0].frames[0] == (try source.clip(at: 2)).frames[0])
        var broken = later
        broken.fields["masks.npy"] = .list([.tensor(Tensor.zeros([2, 2])), .tensor(Tensor.zeros([2, 2]))])
        #expect(throws: SegmentationError.self) { try VOSClip.clips(in: broken) }
    }
}
