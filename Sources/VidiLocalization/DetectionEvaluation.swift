/// Interpolated mean average precision over tIoU thresholds, computed as ActivityNet's official
/// `Evaluation/eval_detection.py` (activitynet/ActivityNet, commit 82304fa) does:
///
/// - classes are the labels of the chosen subset's ground truth, in order of first appearance;
///   a class without predictions has AP 0; predictions whose label is not such a class are ignored
///   (the official code raises a KeyError on them) and counted in `ignoredPredictions`;
/// - per class, predictions sorted by descending score (ties: see `descendingOrder`); each is matched
///   against the ground truths of its class in its video from highest tIoU down: below the threshold it is
///   a false positive, an already-matched ground truth is skipped, otherwise it is a true positive and locks
///   that ground truth; a prediction in a video without ground truth of its class is a false positive;
/// - AP is VOC-2011 all-point interpolation; mAP(t) is the mean over classes, average mAP the mean over t.
public struct DetectionEvaluation: Sendable {
    public var thresholds: [Double]
    /// Class names in evaluation order.
    public var classes: [String]
    /// `ap[t][c]`: AP of class `c` at threshold `t`.
    public var ap: [[Double]]
    /// Predictions whose label is not a ground-truth class of the subset.
    public var ignoredPredictions: Int

    /// mAP at each threshold.
    public var mAP: [Double] { ap.map { row in row.isEmpty ? 0 : row.reduce(0, +) / Double(row.count) } }
    /// The mean of `mAP` over thresholds.
    public var averageMAP: Double { let m = mAP; return m.isEmpty ? 0 : m.reduce(0, +) / Double(m.count) }

    /// Evaluates `predictions` against the videos of `subset` (`nil`: every video) in `groundTruth`.
    public init(groundTruth: GroundTruthFile, predictions: PredictionFile, subset: String? = "validation",
                thresholds: [Double] = linspace(0.5, 0.95, count: 10)) {
        self.thresholds = thresholds
        var classIndex: [String: Int] = [:]
        var classes: [String] = []
        // Ground truth per class: (video, start, end) in file order; per class, video -> indices into that list.
        var truths: [[(start: Double, end: Double)]] = []
        var truthsByVideo: [[String: [Int]]] = []
        for video in groundTruth.videos(inSubset: subset) {
            for a in video.annotations {
                let c: Int
                if let known = classIndex[a.label] { c = known } else {
                    c = classes.count
                    classIndex[a.label] = c
                    classes.append(a.label)
                    truths.append([])
                    truthsByVideo.append([:])
                }
                truthsByVideo[c][video.id, default: []].append(truths[c].count)
                truths[c].append((a.start, a.end))
            }
        }
        self.classes = classes
        var perClass: [[(video: String, start: Double, end: Double, score: Double)]] = Array(repeating: [], count: classes.count)
        var ignored = 0
        for video in predictions.videos {
            for p in video.predictions {
                guard let c = classIndex[p.label] else { ignored += 1; continue }
                perClass[c].append((video.id, p.start, p.end, p.score))
            }
        }
        ignoredPredictions = ignored
        var ap = Array(repeating: Array(repeating: 0.0, count: classes.count), count: thresholds.count)
        for c in classes.indices {
            let perThreshold = DetectionEvaluation.averagePrecision(truths: truths[c], truthsByVideo: truthsByVideo[c],
                                                                    predictions: perClass[c], thresholds: thresholds)
            for t in thresholds.indices { ap[t][c] = perThreshold[t] }
        }
        self.ap = ap
    }

    /// AP of one class at each threshold (`compute_average_precision_detection`).
    static func averagePrecision(truths: [(start: Double, end: Double)], truthsByVideo: [String: [Int]],
                                 predictions: [(video: String, start: Double, end: Double, score: Double)],
                                 thresholds: [Double]) -> [Double] {
        guard !predictions.isEmpty else { return Array(repeating: 0, count: thresholds.count) }
        let order = descendingOrder(predictions.map(\.score))
        var locked = Array(repeating: Array(repeating: false, count: truths.count), count: thresholds.count)
        var truePositive = Array(repeating: Array(repeating: false, count: order.count), count: thresholds.count)
        for (rank, index) in order.enumerated() {
            let p = predictions[index]
            guard let candidates = truthsByVideo[p.video] else { continue }   // false positive at every threshold
            let ious = candidates.map { temporalIoU((p.start, p.end), truths[$0]) }
            let byIoU = descendingOrder(ious)
            for t in thresholds.indices {
                for j in byIoU {
                    if ious[j] < thresholds[t] { break }
                    let g = candidates[j]
                    if locked[t][g] { continue }
                    truePositive[t][rank] = true
                    locked[t][g] = true
                    break
                }
            }
        }
        let positives = Double(truths.count)
        return thresholds.indices.map { t in
            var tp = 0.0, fp = 0.0
            var precision: [Double] = [], recall: [Double] = []
            precision.reserveCapacity(order.count); recall.reserveCapacity(order.count)
            for hit in truePositive[t] {
                if hit { tp += 1 } else { fp += 1 }
                recall.append(tp / positives)
                precision.append(tp / (tp + fp))
            }
            return interpolatedAveragePrecision(precision: precision, recall: recall)
        }
    }
}

/// VOC-2011 all-point interpolated AP (`utils.interpolated_prec_rec`): pad precision `[0, p, 0]` and
/// recall `[0, r, 1]`, make precision non-increasing from the right, sum `Δrecall · precision` where
/// recall changes.
public func interpolatedAveragePrecision(precision: [Double], recall: [Double]) -> Double {
    let p = [0] + precision + [0], r = [0] + recall + [1]
    var envelope = p
    var i = envelope.count - 2
    while i >= 0 { envelope[i] = Swift.max(envelope[i], envelope[i + 1]); i -= 1 }
    var total = 0.0
    for k in 1..<r.count where r[k] != r[k - 1] { total += (r[k] - r[k - 1]) * envelope[k] }
    return total
}
