import Foundation
import Testing
import VidiNN
import VidiTensor
import VidiTestSupport
@testable import VidiSegmentation

/// LCM's direct position guidance (LCMPositionGuidance.swift; no reference code exists): the hand-made
/// look-alike case, its limits, checkpoint versions, and gradients against finite differences.
@Suite struct LCMPositionGuidanceTests {
    /// A 1/16 map of 8 x 12 cells whose keys are noise except two identical cells (the target and its copy,
    /// 3 columns apart: a quarter of the frame), in both frames; the previous mask is on the target only.
    static func lookAlikeResponse(position: LCMPositionConsistency) throws -> (response: Tensor, target: Int, copy: Int) {
        let (ck, h, w) = (16, 8, 12)
        let (target, copy) = (4 * w + 2, 4 * w + 8)
        var keys = [Float](repeating: 0, count: ck * h * w)
        for c in 0..<ck {
            for i in 0..<(h * w) {
                keys[c * h * w + i] = i == target || i == copy ? 4 : Float(Foundation.sin(Double(c) * 1.7 + Double(i) * 0.37))
            }
        }
        let key = try Tensor(keys, shape: [1, ck, h, w])
        var previous = [Float](repeating: 0, count: h * w)
        previous[target] = 1
        let response = try position.response(queryKey: key, previousKey: key, previousProbabilities: Tensor(previous, shape: [1, 1, h, w]))
        return (response, target, copy)
    }

    /// The decoder cannot tell the copy from the target (the same logit, +3, on both cells); the guidance,
    /// at its initial strength, drops the copy's probability after soft aggregation below background while
    /// the target keeps its own. Expected values: the sigmoid and soft aggregation of a logit of 3 (the
    /// target's bias is exactly 0 at its peak cell), and the guidance's bound 2 x log(0.05 / 1.05) = -6.1.
    @Test func guidanceLowersALookAlikeFarFromThePreviousMask() throws {
        var generator = RandomGenerator(seed: 3)
        let position = LCMPositionConsistency(valueDim: 8, generator: &generator)
        let guidance = LCMPositionGuidance()
        let (response, target, copy) = try Self.lookAlikeResponse(position: position)
        let bias = try guidance.logitBias(response: response)
        #expect(bias.shape == [1, 1, 128, 192])
        let w = 12
        var logits = [Float](repeating: -3, count: 128 * 192)
        for cell in [target, copy] {
            let (cy, cx) = (cell / w, cell % w)
            for y in (cy * 16)..<(cy * 16 + 16) { for x in (cx * 16)..<(cx * 16 + 16) { logits[y * 192 + x] = 3 } }
        }
        let decoder = try Tensor(logits, shape: [1, 1, 128, 192])
        let plain = try SoftAggregation.aggregate(decoder.sigmoid()).sliced(axis: 0, start: 1).scalars
        let guided = try SoftAggregation.aggregate((decoder + bias).sigmoid()).sliced(axis: 0, start: 1).scalars
        func centre(_ cell: Int) -> Int { (cell / w * 16 + 8) * 192 + cell % w * 16 + 8 }
        // Without guidance both cells look the same: p = s^2 / (s^2 + (1 - s)^2) with s = sigmoid(3).
        let s = 1 / (1 + Foundation.exp(-3.0))
        let expected = s * s / (s * s + (1 - s) * (1 - s))
        #expect(abs(Double(plain[centre(copy)]) - expected) < 1e-4 && abs(Double(plain[centre(target)]) - expected) < 1e-4)
        #expect(abs(Double(guided[centre(target)]) - expected) < 1e-3)
        #expect(guided[centre(copy)] < 0.05)
        let biasValues = bias.scalars
        #expect(abs(biasValues[centre(target)]) < 1e-4)
        #expect(biasValues[centre(copy)] < -5 && biasValues[centre(copy)] >= 2 * Foundation.log(Float(0.05 / 1.05)) - 1e-4)
    }

    /// An object that left the picture (previous probabilities 0) has a zero response: the guidance then
    /// adds nothing anywhere, so it cannot lock a returning object out. A response within one cell of the
    /// peak (the 3x3 max-pool: a cell of motion) is not penalised either.
    @Test func guidanceVanishesForAnAbsentObjectAndToleratesACellOfMotion() throws {
        let guidance = LCMPositionGuidance()
        let absent = try guidance.logitBias(response: Tensor.zeros([2, 1, 4, 6]))
        #expect(try absent.abs().max().item() == 0)
        var values = [Float](repeating: 0, count: 24)
        values[1 * 6 + 1] = 0.8
        let bias = try guidance.logitBias(response: Tensor(values, shape: [1, 1, 4, 6])).scalars
        // Output pixels (x16, bilinear without aligned corners) that interpolate only the cells named: inside
        // the cell itself, inside its neighbour (2, 2) on the side towards it, and the far corner cell (3, 5).
        func pixel(_ y: Int, _ x: Int, offset: Int) -> Int { (y * 16 + offset) * 96 + x * 16 + offset }
        #expect(abs(bias[pixel(1, 1, offset: 8)]) < 1e-5 && abs(bias[pixel(2, 2, offset: 2)]) < 1e-5)
        #expect(abs(Double(bias[pixel(3, 5, offset: 8)]) - 2 * Foundation.log(0.05 / 0.85)) < 1e-4)
    }

    /// Checkpoints of the first LCM version (no `lcm_guidance.*`) load strictly and run without guidance;
    /// `addingLCM` keeps their LCM weights and adds the guidance.
    @Test func firstVersionCheckpointsLoadWithoutGuidance() throws {
        var generator = RandomGenerator(seed: 11)
        var configuration = STCNConfiguration.small(rde: true)
        configuration.hasLCM = true
        let old = STCN(configuration, generator: &generator)
        old.lcm?.position.scale.value = Tensor.full([1], value: Float(6.3))
        let weights = old.stateDict()
        #expect(!weights.keys.contains { $0.hasPrefix("lcm_guidance.") })
        let reloaded = try STCN(weights: weights)
        #expect(reloaded.lcm != nil && reloaded.lcm?.guidance == nil)
        let upgraded = try STCN.addingLCM(to: weights)
        #expect(upgraded.lcm?.guidance != nil)
        #expect(try upgraded.lcm?.position.scale.value.item() == Float(6.3))
        #expect(try upgraded.lcm?.guidance?.strength.value.item() == LCMPositionGuidance.initialStrength)
    }

    /// Autograd of the logit bias (max-pool, peak ratio, bilinear x16, log, strength) and of the response
    /// loss against central finite differences. Response values are spaced 0.035 apart so no max-pool
    /// window or peak changes its argmax within the step.
    @Test func gradientsMatchFiniteDifferences() throws {
        let order: [Int] = [17, 3, 22, 9, 0, 14, 6, 20, 11, 1, 19, 8, 23, 5, 12, 2, 16, 10, 21, 7, 13, 4, 18, 15]
        let response = try Tensor(order.map { 0.08 + 0.035 * Float($0) }, shape: [2, 1, 3, 4])
        let guidance = LCMPositionGuidance()
        let strength = Tensor.full([1], value: Float(1.5))
        #expect(try gradCheck([response, strength], epsilon: 5e-3, rtol: 2e-2, atol: 2e-3) { t in
            guidance.strength.value = t[1]
            return try guidance.logitBias(response: t[0])
        })
        let target = try Tensor(order.map { Float($0 % 3) / 2 }, shape: [2, 1, 3, 4])
        #expect(try gradCheck([response], epsilon: 5e-3, rtol: 2e-2, atol: 2e-3) { t in
            try LCMPositionGuidance.responseLoss(response: t[0], target: target).reshaped([1])
        })
    }
}
