/// Detection mAP restricted to actions of one duration range (relative to the video's duration), after
/// DETAD's diagnosis (Alwassel et al., ECCV 2018): the ground truth keeps only actions in the bucket, and
/// a prediction is kept when its best-overlapping ground truth of its class in its video lies in the bucket,
/// or, when it overlaps none, when its own duration does — so every prediction belongs to exactly one bucket.
public enum DurationBuckets {
    public static func evaluate(groundTruth: GroundTruthFile, predictions: PredictionFile, subset: String?,
                                thresholds: [Double], edges: [Double]) -> [(range: ClosedRange<Double>, result: DetectionEvaluation)] {
        let videos = groundTruth.videos(inSubset: subset)
        let byID = Dictionary(videos.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        func fraction(_ a: LabeledSegment, _ v: GroundTruthFile.Video) -> Double {
            let duration = v.duration ?? (v.annotations.map(\.end).max() ?? 1)
            return (a.end - a.start) / Swift.max(duration, 1e-9)
        }
        var out: [(ClosedRange<Double>, DetectionEvaluation)] = []
        for b in 0..<(edges.count - 1) {
            let range = edges[b]...edges[b + 1]
            let inBucket = { (a: LabeledSegment, v: GroundTruthFile.Video) -> Bool in
                let f = fraction(a, v)
                return f >= range.lowerBound && (b == edges.count - 2 ? f <= range.upperBound : f < range.upperBound)
            }
            let truth = GroundTruthFile(videos: videos.map { v in
                var copy = v
                copy.annotations = v.annotations.filter { inBucket($0, v) }
                return copy
            })
            let kept = PredictionFile(videos: predictions.videos.map { id, list in
                (id, list.filter { p in
                    guard let v = byID[id] else { return false }
                    var best: (Double, LabeledSegment?) = (0, nil)
                    for a in v.annotations where a.label == p.label {
                        let iou = temporalIoU((p.start, p.end), (a.start, a.end))
                        if iou > best.0 { best = (iou, a) }
                    }
                    guard let match = best.1 else { return inBucket(LabeledSegment(start: p.start, end: p.end, label: p.label), v) }
                    return inBucket(match, v)
                })
            })
            out.append((range, DetectionEvaluation(groundTruth: truth, predictions: kept, subset: nil, thresholds: thresholds)))
        }
        return out
    }
}
