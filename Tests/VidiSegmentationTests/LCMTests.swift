import Testing
import VidiNN
import VidiTensor
@testable import VidiSegmentation

/// Vidi's LCM modules (no reference code exists; see LCM.swift): invariants of the design.
@Suite struct LCMTests {
    @Test func zeroInitialisedLCMChangesNothingUntilTrained() throws {
        var generator = RandomGenerator(seed: 5)
        let base = STCN(.small(rde: true), generator: &generator)
        base.eval()
        let withLCM = try STCN.addingLCM(to: base.stateDict())
        #expect(withLCM.configuration.hasLCM && withLCM.lcm != nil)
        #expect(try STCNConfiguration(weights: withLCM.stateDict()).hasLCM)
        let options = SyntheticVOSOptions(width: 48, height: 32, frames: 5, objects: 2...2, distractors: 1)
        let sequence = try SyntheticVOSSequence(options: options, seed: 8, index: 0)
        let plain = try Segmenter(network: base, options: SegmenterOptions(memory: .rde, memoryEvery: 2))
        let refined = try Segmenter(network: withLCM, options: SegmenterOptions(memory: .rde, memoryEvery: 2, lcm: true))
        for t in 0..<5 {
            let frame = sequence.render(frame: t)
            let a = try plain.step(rgb: frame.rgb, width: 48, height: 32, mask: t == 0 ? frame.mask : nil)
            let b = try refined.step(rgb: frame.rgb, width: 48, height: 32, mask: t == 0 ? frame.mask : nil)
            #expect(a.labels == b.labels)
            let difference = try (a.probabilities - b.probabilities).abs().max().item()
            #expect(difference < 1e-5)
        }
        #expect(throws: SegmentationError.self) {
            try Segmenter(network: base, options: SegmenterOptions(memory: .grow, lcm: true))
        }
    }

    @Test func locationResponseFollowsThePreviousPositionNotALookAlike() throws {
        var generator = RandomGenerator(seed: 6)
        let position = LCMPositionConsistency(valueDim: 8, generator: &generator)
        // Identical keys everywhere (a scene of look-alikes): only the positional encoding tells places apart.
        let key = Tensor.zeros([1, 16, 4, 6])
        var previous = [Float](repeating: 0, count: 24)
        previous[1 * 6 + 1] = 1  // the object was at (1, 1)
        let response = try position.response(queryKey: key, previousKey: key,
                                              previousProbabilities: Tensor(previous, shape: [1, 1, 4, 6])).scalars
        let best = response.indices.max { response[$0] < response[$1] }
        #expect(best == 1 * 6 + 1)
        #expect(response[1 * 6 + 1] > 2 * response[3 * 6 + 5])
    }

    @Test func trainingWithLCMGivesFiniteLosses() throws {
        var generator = RandomGenerator(seed: 7)
        var configuration = STCNConfiguration.small(rde: true)
        configuration.hasLCM = true
        let loss = VOSTrainingLoss(network: STCN(configuration, generator: &generator), warmupClips: 0)
        let sampler = SyntheticClipSampler(options: SyntheticVOSOptions(width: 32, height: 32, frames: 10, objects: 1...2, distractors: 1),
                                           sequences: 3, length: 3, seed: 4)
        let total = try loss.loss(try sampler.clip(at: 0), clipsSeen: 0, generator: &generator)
        try total.backward()
        let losses = loss.lastParts
        #expect(losses.crossEntropy.isFinite && losses.samCrossEntropy.isFinite && losses.kl.isFinite && losses.consistency.isFinite)
    }
}
