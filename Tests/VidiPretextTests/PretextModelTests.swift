import Testing
import VidiNN
import VidiPretext
import VidiRandom
import VidiTensor

/// The training models on real generated samples: losses finite, gradients reach the backbone, a few
/// Adam steps on one batch lower the loss (the objective can be optimised). Expected behaviour from
/// reference/pretext.md's losses; shapes from the generators.
@Suite struct PretextModelTests {
    static let small = PretextBackboneConfiguration(architecture: "tiny", frames: 4, resolution: 16)

    @Test func backboneKeepsTorchvisionKeys() throws {
        var generator = RandomGenerator(seed: 0)
        let model = try MoSIModel(Self.small, seed: 0, generator: &generator)
        let names = model.namedParameters().map(\.name)
        #expect(names.contains("encoder.backbone.stem.0.weight") && names.contains("encoder.backbone.layer4.1.conv2.0.weight") && names.contains("fc.weight"))
    }

    @Test func mosiStepsLowerTheLoss() throws {
        let generator = try MoSIGenerator(MoSIConfiguration().withoutAugmentation)
        var random = RandomGenerator(seed: 1)
        let clips = try generator.generate(try MoSITests.noise(), random: &random)
        let stacks = try Tensor(clips.flatMap(\.pixels).map(Float.init), shape: [1, 9, 16, 112, 112, 3])
        let labels = try Tensor((0..<9).map { Int64($0) }, shape: [1, 9])
        var init_ = RandomGenerator(seed: 2)
        let model = try MoSIModel(Self.small, seed: 0, generator: &init_)
        model.dropout.eval()
        let optimizer = try Adam(model.parameters, learningRate: 1e-2)
        let first = try model.loss(stacks: stacks, labels: labels)
        #expect(abs(try first.item() - Float(9).logValue) < 1)
        var last = try first.item()
        for _ in 0..<6 {
            optimizer.zeroGrad()
            let loss = try model.loss(stacks: stacks, labels: labels)
            try loss.backward()
            try optimizer.step()
            last = try loss.item()
        }
        let start = try first.item()
        #expect(last.isFinite && last < start)
    }

    @Test func hicoLossesAreFiniteWithGradients() throws {
        var random = RandomGenerator(seed: 3)
        let pixels = (0..<(2 * 3 * 16 * 32 * 32 * 3)).map { _ in UInt8(truncatingIfNeeded: random.next() >> 56) }
        let triples = try Tensor(pixels.map(Float.init), shape: [2, 3, 16, 32, 32, 3])
        var generator = RandomGenerator(seed: 4)
        let model = try HiCoModel(Self.small, generator: &generator)
        let (visual, topical, total) = try model.losses(triples: triples)
        #expect(try visual.item().isFinite && topical.item().isFinite)
        try total.backward()
        #expect(model.pair1.weight.grad != nil && model.backbone.network.stem.parameters.first?.grad != nil)
    }

    /// `reversedNegatives`: the backbone input is the B x 3 clips as without the option, then each video's
    /// clip 0 with its frames in reverse order (checked element by element on the prepared input); the
    /// losses stay finite and train the backbone.
    @Test func hicoReversedClipsAreClipZeroBackwards() throws {
        var random = RandomGenerator(seed: 7)
        let pixels = (0..<(2 * 3 * 16 * 16 * 16 * 3)).map { _ in Float(UInt8(truncatingIfNeeded: random.next() >> 56)) }
        let triples = try Tensor(pixels, shape: [2, 3, 16, 16, 16, 3])
        var generator = RandomGenerator(seed: 8)
        let plain = try HiCoModel(Self.small, generator: &generator)
        var generator2 = RandomGenerator(seed: 8)
        let model = try HiCoModel(Self.small, reversedNegatives: true, generator: &generator2)
        let reference = try plain.input(triples).toArray(Float.self)          // [6, 3, 4, 16, 16]
        let input = try model.input(triples)
        #expect(input.shape == [8, 3, 4, 16, 16])
        let values = try input.toArray(Float.self)
        let clip = 3 * 4 * 16 * 16, frame = 16 * 16
        #expect(Array(values[0..<(6 * clip)]) == reference)
        var reversedMatches = true
        for video in 0..<2 {
            for c in 0..<3 { for t in 0..<4 {
                let from = (video * 3) * clip + (c * 4 + (3 - t)) * frame, to = (6 + video) * clip + (c * 4 + t) * frame
                if Array(values[to..<(to + frame)]) != Array(reference[from..<(from + frame)]) { reversedMatches = false }
            } }
        }
        #expect(reversedMatches)
        let (visual, topical, total) = try model.losses(triples: triples)
        #expect(try visual.item().isFinite && topical.item().isFinite)
        try total.backward()
        #expect(model.backbone.network.stem.parameters.first?.grad != nil)
    }
}

extension Float {
    var logValue: Float { Float(Double(self).logValue) }
}

import Foundation
extension Double {
    var logValue: Double { Foundation.log(self) }
}

@Suite struct CMDModelTests {
    /// Two real CMD samples from the pan fixtures: finite losses, gradients reach all three encoders.
    @Test func cmdLossesOnRealSamples() throws {
        let sampler = try CMDSampler()
        var random = RandomGenerator(seed: 5)
        let samples = try ["media/pan-mpeg4.mp4", "media/pan-h264.mp4"].map { try sampler.sample(VideoReader(path: Fixtures.path($0)), random: &random) }
        func stack(_ values: [[Float]], _ shape: [Int]) throws -> Tensor { try Tensor(values.flatMap { $0 }, shape: [2] + shape) }
        let clip = try stack(samples.map { $0.clip.map(Float.init) }, [16, 112, 112, 3])
        let motion = try stack(samples.map(\.motion), [8, 112, 112, 2])
        let negatives = try stack(samples.map(\.negatives), [3, 8, 112, 112, 2])
        let keyframe = try stack(samples.map { $0.keyframe.map(Float.init) }, [112, 112, 3])
        var generator = RandomGenerator(seed: 6)
        let model = try CMDModel(PretextModelTests.small, generator: &generator)
        let (m, c, total) = try model.losses(clip: clip, motion: motion, negatives: negatives, keyframe: keyframe)
        #expect(try m.item().isFinite && c.item().isFinite)
        try total.backward()
        #expect(model.motionEncoder.parameters.first?.grad != nil && model.keyframeContext.weight.grad != nil
                && model.clipEncoder.network.stem.parameters.first?.grad != nil)
    }

    /// The objective options on one model and batch: `reversedNegatives` equals passing the negated
    /// positive maps as a fourth negative clip by hand; the context weight scales only the context term, and
    /// 0 leaves the motion loss alone.
    @Test func cmdObjectiveOptions() throws {
        var random = RandomGenerator(seed: 9)
        func values(_ count: Int, _ scale: Float) -> [Float] { (0..<count).map { _ in (Float(random.next() >> 40) / Float(1 << 24) * 2 - 1) * scale } }
        let clip = try Tensor(values(2 * 16 * 16 * 16 * 3, 127).map { $0 + 128 }, shape: [2, 16, 16, 16, 3])
        let motion = try Tensor(values(2 * 8 * 16 * 16 * 2, 1), shape: [2, 8, 16, 16, 2])
        let negatives = try Tensor(values(2 * 3 * 8 * 16 * 16 * 2, 1), shape: [2, 3, 8, 16, 16, 2])
        let keyframe = try Tensor(values(2 * 16 * 16 * 3, 127).map { $0 + 128 }, shape: [2, 16, 16, 3])
        var generator = RandomGenerator(seed: 10)
        let model = try CMDModel(PretextModelTests.small, generator: &generator)
        let reference = try model.losses(clip: clip, motion: motion, negatives: negatives, keyframe: keyframe)
        let byHand = try Tensor.concatenate([negatives, -motion.reshaped([2, 1, 8, 16, 16, 2])], axis: 1)
        let withNegated = try model.losses(clip: clip, motion: motion, negatives: byHand, keyframe: keyframe)
        model.objective = CMDObjective(contextWeight: 0.25, reversedNegatives: true)
        let reversed = try model.losses(clip: clip, motion: motion, negatives: negatives, keyframe: keyframe)
        #expect(try reversed.motion.item() == withNegated.motion.item())
        #expect(try reversed.motion.item() != reference.motion.item())
        #expect(try abs(reversed.total.item() - (withNegated.motion.item() + 0.25 * withNegated.context.item())) < 1e-5)
        model.objective = CMDObjective(contextWeight: 0)
        let motionOnly = try model.losses(clip: clip, motion: motion, negatives: negatives, keyframe: keyframe)
        #expect(try motionOnly.total.item() == reference.motion.item() && motionOnly.context.item() == 0)
        #expect(throws: PretextError.self) { _ = try CMDModel(PretextModelTests.small, objective: CMDObjective(contextWeight: -1), generator: &generator) }
    }
}

import VidiMedia
import VidiTestSupport
