import Testing
import VidiLocalization

/// Cases small enough to work out by hand from the rules of ActivityNet's `eval_detection.py`
/// (the expected value of each is derived in its comment).
@Suite struct HandCheckedEvaluationTests {
    static func truth(_ videos: [(String, [(Double, Double, String)])]) -> GroundTruthFile {
        GroundTruthFile(videos: videos.map { id, list in
            .init(id: id, subset: "validation", duration: 100, annotations: list.map { LabeledSegment(start: $0.0, end: $0.1, label: $0.2) })
        })
    }

    static func predictions(_ videos: [(String, [(Double, Double, String, Double)])]) -> PredictionFile {
        PredictionFile(videos: videos.map { id, list in (id, list.map { ScoredSegment(start: $0.0, end: $0.1, label: $0.2, score: $0.3) }) })
    }

    @Test func perfectPredictionsScoreOne() {
        let gt = Self.truth([("a", [(0, 10, "x"), (20, 30, "y")])])
        let pred = Self.predictions([("a", [(0, 10, "x", 0.9), (20, 30, "y", 0.8)])])
        let r = DetectionEvaluation(groundTruth: gt, predictions: pred, thresholds: [0.5, 0.95])
        #expect(r.mAP == [1, 1])
    }

    /// tIoU of [0, 10] and [5, 15]: intersection 5, union 15 → 1/3 (no +1 on lengths).
    @Test func temporalIoUHasNoPlusOne() {
        #expect(abs(temporalIoU((0, 10), (5, 15)) - 1.0 / 3) < 1e-15)
        #expect(temporalIoU((0, 10), (10, 20)) == 0)
        #expect(temporalIoU((0, 10), (20, 30)) == 0)
    }

    /// A duplicate of a true positive is a false positive: ranks TP, FP → precision [1, 0.5], recall [1, 1];
    /// interpolated AP = 1 · 1 = 1. A lower-ranked duplicate does not hurt AP; a higher-ranked wrong one does:
    /// FP, TP → precision [0, 0.5], recall [0, 1] → envelope 0.5 at recall 1 → AP 0.5.
    @Test func duplicatesAreFalsePositives() {
        let gt = Self.truth([("a", [(0, 10, "x")])])
        let after = DetectionEvaluation(groundTruth: gt, predictions: Self.predictions([("a", [(0, 10, "x", 0.9), (0, 10, "x", 0.8)])]), thresholds: [0.5])
        #expect(after.mAP == [1])
        let before = DetectionEvaluation(groundTruth: gt, predictions: Self.predictions([("a", [(50, 60, "x", 0.9), (0, 10, "x", 0.8)])]), thresholds: [0.5])
        #expect(before.mAP == [0.5])
    }

    /// Equal scores: numpy's `argsort()[::-1]` on a short array visits the later prediction first. With the
    /// wrong one listed last it ranks first: FP, TP → AP 0.5; listed first: TP, FP → AP 1.
    @Test func scoreTiesGoToTheLaterPrediction() {
        let gt = Self.truth([("a", [(0, 10, "x")])])
        let wrongLast = DetectionEvaluation(groundTruth: gt, predictions: Self.predictions([("a", [(0, 10, "x", 0.5), (50, 60, "x", 0.5)])]), thresholds: [0.5])
        #expect(wrongLast.mAP == [0.5])
        let wrongFirst = DetectionEvaluation(groundTruth: gt, predictions: Self.predictions([("a", [(50, 60, "x", 0.5), (0, 10, "x", 0.5)])]), thresholds: [0.5])
        #expect(wrongFirst.mAP == [1])
    }

    /// A prediction in a video without ground truth (or in a video missing from the ground truth) is a false
    /// positive: TP (video a), FP (video b) → AP 1 (the FP comes after full recall); with the FP ranked first → 0.5.
    @Test func videosWithoutGroundTruthGiveFalsePositives() {
        let gt = GroundTruthFile(videos: [.init(id: "a", subset: "validation", duration: 100, annotations: [LabeledSegment(start: 0, end: 10, label: "x")]),
                                          .init(id: "b", subset: "validation", duration: 100, annotations: [])])
        let r = DetectionEvaluation(groundTruth: gt, predictions: Self.predictions([("b", [(0, 10, "x", 0.9)]), ("a", [(0, 10, "x", 0.8)]),
                                                                                    ("zzz", [(0, 10, "x", 0.1)])]), thresholds: [0.5])
        #expect(r.mAP == [0.5])
    }

    /// A class with ground truth and no predictions has AP 0: classes x (AP 1) and y (AP 0) → mAP 0.5.
    /// A predicted label without ground truth is ignored and counted.
    @Test func classesWithoutPredictionsScoreZero() {
        let gt = Self.truth([("a", [(0, 10, "x"), (20, 30, "y")])])
        let r = DetectionEvaluation(groundTruth: gt, predictions: Self.predictions([("a", [(0, 10, "x", 0.9), (0, 10, "nope", 0.9)])]), thresholds: [0.5])
        #expect(r.classes == ["x", "y"])
        #expect(r.mAP == [0.5])
        #expect(r.ignoredPredictions == 1)
    }

    /// Interpolation: ranks TP, FP, TP over 2 ground truths → precision [1, 0.5, 2/3], recall [0.5, 0.5, 1].
    /// Envelope from the right: [1, 2/3, 2/3]; recall changes at ranks 1 and 3 → AP = 0.5 · 1 + 0.5 · 2/3 = 5/6.
    @Test func interpolationUsesThePrecisionEnvelope() {
        let gt = Self.truth([("a", [(0, 10, "x"), (20, 30, "x")])])
        let r = DetectionEvaluation(groundTruth: gt, predictions: Self.predictions([("a", [(0, 10, "x", 0.9), (50, 60, "x", 0.8), (20, 30, "x", 0.7)])]), thresholds: [0.5])
        #expect(abs(r.mAP[0] - 5.0 / 6) < 1e-15)
        #expect(abs(interpolatedAveragePrecision(precision: [1, 0.5, 2.0 / 3], recall: [0.5, 0.5, 1]) - 5.0 / 6) < 1e-15)
    }

    /// Threshold boundary: tIoU exactly 0.5 ([0, 10] vs [0, 5]) counts at 0.5 (`tiou < thr` is the miss test)
    /// and misses at 0.55.
    @Test func thresholdIsInclusive() {
        let gt = Self.truth([("a", [(0, 10, "x")])])
        let r = DetectionEvaluation(groundTruth: gt, predictions: Self.predictions([("a", [(0, 5, "x", 0.9)])]), thresholds: [0.5, 0.55])
        #expect(r.mAP == [1, 0])
    }

    /// A prediction overlapping two ground truths takes the one with the higher tIoU; the second prediction
    /// then matches the other one: 2 TPs → AP 1.
    @Test func matchingPrefersHighestIoUThenNextFree() {
        let gt = Self.truth([("a", [(0, 10, "x"), (2, 10, "x")])])
        let r = DetectionEvaluation(groundTruth: gt, predictions: Self.predictions([("a", [(1, 10, "x", 0.9), (1, 10, "x", 0.8)])]), thresholds: [0.5])
        #expect(r.mAP == [1])
    }

    /// `0.3:0.1:0.7` gives numpy.linspace(0.3, 0.7, 5) with its rounding (numpy 2.4 prints
    /// 0.39999999999999997 for the second value; 0.5:0.05:0.95 has 0.8999999999999999).
    @Test func thresholdRangesFollowLinspace() throws {
        #expect(try parseThresholds("0.3:0.1:0.7") == [0.3, 0.39999999999999997, 0.5, 0.6, 0.7])
        #expect(try parseThresholds("0.5:0.05:0.95")[8] == 0.8999999999999999)
        #expect(try parseThresholds("0.5,0.75") == [0.5, 0.75])
        #expect(throws: LocalizationError.self) { try parseThresholds("0.7:0.1:0.3") }
        #expect(throws: LocalizationError.self) { try parseThresholds("abc") }
    }

    /// AR@AN by hand: one video, one ground truth [0, 10], proposals (score order) [50, 60], [0, 10];
    /// max AN 2 → ratio 1, both kept; budget k/100 · 2 proposals: int(2 · k/100) = 0 for k < 50 (recall 0),
    /// 1 for k in 50…99 (the miss; recall 0), 2 at k = 100 (recall 1).
    @Test func proposalRecallByHand() throws {
        let gt = Self.truth([("a", [(0, 10, "x")])])
        let r = try ProposalEvaluation(groundTruth: gt, proposals: Self.predictions([("a", [(50, 60, "", 0.9), (0, 10, "", 0.8)])]), maxAverageProposals: 2)
        #expect(r.averageRecall[98] == 0)
        #expect(r.averageRecall[99] == 1)
        #expect(r.proposalsPerVideo.last == 2)
    }
}
