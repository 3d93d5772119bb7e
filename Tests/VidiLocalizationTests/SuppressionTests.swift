import Foundation
import Testing
import VidiLocalization

/// Soft-NMS and NMS on cases computed by hand from BMN's `soft_nms` rule (post_processing.py) and the
/// standard greedy NMS.
@Suite struct SuppressionTests {
    static func seg(_ s: Double, _ e: Double, _ score: Double) -> ScoredSegment { ScoredSegment(start: s, end: e, label: "a", score: score) }

    /// Best [0, 0.4] (0.9); [0.1, 0.4] has tIoU 0.75 > 0.5 + 0.4 · 0.4 = 0.66 → 0.8 · exp(−0.75²/0.4);
    /// [0.2, 0.6] has tIoU 0.2/0.6 = 1/3 < 0.66 → kept at 0.7; [0.8, 0.9] untouched (0.1).
    @Test func bmnGaussianDecayWithWidthAdaptiveThreshold() {
        let out = Suppression.bmn.apply([Self.seg(0.1, 0.4, 0.8), Self.seg(0, 0.4, 0.9), Self.seg(0.2, 0.6, 0.7), Self.seg(0.8, 0.9, 0.1)], keep: 100)
        let decayed = 0.8 * exp(-0.75 * 0.75 / 0.4)
        #expect(out.map(\.start) == [0, 0.2, 0.1, 0.8])
        #expect(abs(out[2].score - decayed) < 1e-12)
        #expect(out[1].score == 0.7)
        #expect(out[3].score == 0.1)
    }

    /// ActionFormer's form decays every overlap: [0.2, 0.6] vs the best [0, 0.4]: tIoU 1/3 → 0.7 · exp(−(1/9)/0.5).
    /// Decay is applied again against each later pick: after [0.2, 0.6] is taken, [0.1, 0.4] (already
    /// 0.8 · exp(−0.5625/0.5)) overlaps it with tIoU 0.2/0.5 = 0.4 → × exp(−0.16/0.5).
    @Test func actionFormerDecaysEveryOverlapRepeatedly() {
        let out = Suppression.actionFormer.apply([Self.seg(0.1, 0.4, 0.8), Self.seg(0, 0.4, 0.9), Self.seg(0.2, 0.6, 0.7)], keep: 10)
        let second = 0.7 * exp(-(1.0 / 9) / 0.5)
        let third = 0.8 * exp(-0.5625 / 0.5) * exp(-0.16 / 0.5)
        #expect(out.count == 3)
        #expect(abs(out[1].score - second) < 1e-12)
        #expect(abs(out[2].score - third) < 1e-12)
    }

    @Test func keepAndMinimumScore() {
        let input = (0..<10).map { Self.seg(Double($0), Double($0) + 1, 1 - Double($0) * 0.1) }
        #expect(Suppression.bmn.apply(input, keep: 3, normalizer: 10).count == 3)
        #expect(Suppression.actionFormer.apply(input, keep: 100, minimumScore: 0.55).count == 5)
    }

    /// Greedy NMS at 0.5: [0, 10] wins; [1, 10] (tIoU 0.9) is dropped; [5, 15] (tIoU 1/3) stays.
    @Test func hardNMS() {
        let out = Suppression.hard(threshold: 0.5).apply([Self.seg(1, 10, 0.8), Self.seg(0, 10, 0.9), Self.seg(5, 15, 0.7)], keep: 10)
        #expect(out.map(\.start) == [0, 5])
    }

    /// THUMOS14 I3D features (stride 4, window 16, 30 fps): feature 0 is centred at 8/30 s, feature 10 at
    /// 48/30 s; grid position 10.5 (feature 10's centre) → 1.6 s, and back.
    @Test func featureGridToSeconds() throws {
        let grid = try FeatureGrid(stride: 4, window: 16, fps: 30)
        #expect(abs(grid.centre(ofFeature: 0) - 8.0 / 30) < 1e-12)
        #expect(abs(grid.seconds(10.5) - 1.6) < 1e-12)
        #expect(abs(grid.position(1.6) - 10.5) < 1e-12)
        #expect(abs(FeatureGrid.unit.seconds(3.25) - 3.25) < 1e-12)
        #expect(throws: LocalizationError.self) { try FeatureGrid(stride: 0, window: 16, fps: 30) }
    }
}
