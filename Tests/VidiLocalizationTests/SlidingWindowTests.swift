import Foundation
import Testing
import VidiLocalization
import VidiTensor
import VidiTestSupport

/// Sliding windows with the bundled model (Tools/localization/make_bundled_model.sh): a long video made of
/// four bundled synthetic videos back to back; each planted action, shifted by its video's offset, must be
/// found (tIoU ≥ 0.5 with a prediction of its class), including those in the last quarter.
@Suite struct SlidingWindowTests {
    @Test func findsActionsAcrossALongVideo() throws {
        let localizer = try Localizer(checkpoint: BundledLocalization.modelPath!)
        let truth = try GroundTruthFile.read(path: BundledLocalization.demoAnnotations!)
        var parts: [Tensor] = [], expected: [LabeledSegment] = []
        var offset = 0.0
        for video in truth.videos.prefix(4) {
            let x = try FeatureDataset.readFeatures(BundledLocalization.demoFeatures! + "/\(video.id).npy")
            parts.append(x)
            // Long actions only: the ones a model of this size finds reliably, so a miss means a windowing bug.
            for a in video.annotations where a.end - a.start >= 8 {
                expected.append(LabeledSegment(start: a.start + offset, end: a.end + offset, label: a.label))
            }
            offset += Double(x.shape[0])
        }
        let long = try Tensor.concatenate(parts, axis: 0)
        let found = try localizer.localize(features: long, window: 256)
        #expect(found.allSatisfy { $0.start >= 0 && $0.end <= offset })
        for a in expected {
            let hit = found.contains { $0.label == a.label && temporalIoU(($0.start, $0.end), (a.start, a.end)) >= 0.5 }
            #expect(hit, "missed \(a)")
        }
        #expect(expected.contains { $0.start > offset * 0.75 })
        #expect(throws: LocalizationError.self) { try localizer.localize(features: long, window: 4) }
    }
}
