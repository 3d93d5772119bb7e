import Foundation
import Testing
import VidiNN
import VidiTensor
@testable import VidiSegmentation

/// Vidi's LCM modules (no reference code exists; see LCM.swift): invariants of the design.
@Suite struct LCMTests {
    /// The readout refinements start at zero: with the guidance's strength set to 0 too, LCM computes exactly
    /// what the network without it computes.
    @Test func zeroInitialisedLCMChangesNothingUntilTrained() throws {
        var generator = RandomGenerator(seed: 5)
        let base = STCN(.small(rde: true), generator: &generator)
        base.eval()
        let withLCM = try STCN.addingLCM(to: base.stateDict())
        #expect(withLCM.configuration.hasLCM && withLCM.lcm != nil && withLCM.lcm?.guidance != nil)
        #expect(try STCNConfiguration(weights: withLCM.stateDict()).hasLCM)
        #expect(try STCNConfiguration(weights: withLCM.stateDict()).hasLCMGuidance)
        withLCM.lcm?.guidance?.strength.value = Tensor.zeros([1])
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

    /// The positional term against the closed form of the encoding (LCM.swift): for an offset of a
    /// fraction u of the frame along one axis, |p_a - p_b|^2 = sum over frequency pairs of 2 (1 - cos(f pi u)).
    /// It grows with the offset all the way across the frame (no wrap-around) and is 0 on the diagonal.
    @Test func positionalDistanceFollowsTheClosedFormAndNeverWraps() throws {
        let (h, w, channels) = (8, 12, 32)  // the 1/16 map of the 192x128 evaluation sets, small's key width
        let d = try LCMPositionConsistency.squaredDistances(channels: channels, height: h, width: w).scalars
        let n = h * w
        func closedForm(_ u: Double) -> Double {
            (0..<(channels / 4)).reduce(0) { sum, k in
                sum + 2 * (1 - Foundation.cos(Foundation.pow(10000, -2 * Double(k) / Double(channels / 2)) * Double.pi * u))
            }
        }
        for x in 1..<w {
            #expect(d[x] > d[x - 1])
            #expect(abs(Double(d[x]) - closedForm(Double(x) / Double(w))) < 1e-4)
        }
        for y in 1..<h {
            #expect(d[y * w * n] > d[(y - 1) * w * n])
            #expect(abs(Double(d[y * w * n]) - closedForm(Double(y) / Double(h))) < 1e-4)
        }
        for i in 0..<n { #expect(abs(d[i * n + i]) < 1e-4) }
        // The numbers LCMPositionConsistency.initialScale is justified by.
        #expect(abs(closedForm(0.25) - 0.65) < 0.01 && abs(closedForm(0.125) - 0.17) < 0.01)
    }

    /// At initialisation a look-alike (the same key) a quarter of the frame from where the object was a
    /// frame ago gets under 1% location response; the object's own position over 90%.
    @Test func initialScaleSeparatesALookAlikeAQuarterFrameAway() throws {
        var generator = RandomGenerator(seed: 9)
        let position = LCMPositionConsistency(valueDim: 8, generator: &generator)
        let (ck, h, w) = (16, 8, 12)
        let (target, lookAlike) = (4 * w + 2, 4 * w + 5)  // 3 of 12 columns apart
        var keys = [Float](repeating: 0, count: ck * h * w)
        for c in 0..<ck {
            for i in 0..<(h * w) {
                keys[c * h * w + i] = i == target || i == lookAlike ? 4 : Float(Foundation.sin(Double(c) * 1.7 + Double(i) * 0.37))
            }
        }
        let key = try Tensor(keys, shape: [1, ck, h, w])
        var previous = [Float](repeating: 0, count: h * w)
        previous[target] = 1
        let response = try position.response(queryKey: key, previousKey: key,
                                             previousProbabilities: Tensor(previous, shape: [1, 1, h, w])).scalars
        #expect(response[target] > 0.9)
        #expect(response[lookAlike] < 0.01)
    }

    @Test func trainingWithLCMGivesFiniteLosses() throws {
        var generator = RandomGenerator(seed: 7)
        var configuration = STCNConfiguration.small(rde: true)
        configuration.hasLCM = true
        configuration.hasLCMGuidance = true
        let loss = VOSTrainingLoss(network: STCN(configuration, generator: &generator), warmupClips: 0)
        // 64 x 64: a 4 x 4 map at 1/16 (on 2 x 2 the guidance's 3x3 max-pool covers the whole map and its bias is 0).
        let sampler = SyntheticClipSampler(options: SyntheticVOSOptions(width: 64, height: 64, frames: 10, objects: 1...2, distractors: 1),
                                           sequences: 3, length: 3, seed: 4)
        let total = try loss.loss(try sampler.clip(at: 0), clipsSeen: 0, generator: &generator)
        try total.backward()
        let losses = loss.lastParts
        #expect(losses.crossEntropy.isFinite && losses.samCrossEntropy.isFinite && losses.kl.isFinite && losses.consistency.isFinite)
        #expect(losses.response.isFinite && losses.response > 0)
        // Gradients reach the guidance's strength (through the cross-entropy) and the positional scale.
        let network = loss.network
        #expect(try (network.lcm?.guidance?.strength.grad?.abs().sum().item() ?? 0) > 0)
        #expect(try (network.lcm?.position.scale.grad?.abs().sum().item() ?? 0) > 0)
    }
}
