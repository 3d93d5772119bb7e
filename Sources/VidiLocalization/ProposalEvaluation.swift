/// Average recall against the average number of proposals per video (AR@AN) and the area under that
/// curve, computed as ActivityNet's official `Evaluation/eval_proposal.py`
/// (`average_recall_vs_avg_nr_proposals`, activitynet/ActivityNet commit 82304fa) does:
///
/// - videos are those of the subset with at least one ground truth, in order of first appearance; labels
///   are ignored;
/// - `ratio = maxAverageProposals · videos / all proposals` (proposals of every video in the file count);
///   each video keeps its top `int(n · ratio)` proposals by score;
/// - a ground truth is recalled at a budget when any of the first `int(kept · pcn)` proposals reaches the
///   threshold (not one-to-one), with `pcn = (1…100)/100 · maxAverageProposals · videos / kept in total`;
/// - AR is the mean over thresholds; AUC = `trapz(AR, AN) / AN.last` (the official script prints it × 100).
public struct ProposalEvaluation: Sendable {
    public var thresholds: [Double]
    /// `recall[t][k]` at threshold `t` and the `k`-th budget.
    public var recall: [[Double]]
    /// The 100 average numbers of proposals per video (AN).
    public var proposalsPerVideo: [Double]

    /// AR at each AN.
    public var averageRecall: [Double] {
        guard !recall.isEmpty else { return [] }
        return recall[0].indices.map { k in recall.reduce(0) { $0 + $1[k] } / Double(recall.count) }
    }

    /// Area under the AR–AN curve divided by the largest AN (in [0, 1]).
    public var areaUnderCurve: Double {
        let ar = averageRecall, an = proposalsPerVideo
        guard an.count > 1, let last = an.last, last > 0 else { return 0 }
        var area = 0.0
        for k in 1..<an.count { area += (an[k] - an[k - 1]) * (ar[k] + ar[k - 1]) / 2 }
        return area / last
    }

    /// AR at the budget whose AN is closest to `proposals` (AR@1, AR@100 …).
    public func averageRecall(atProposals proposals: Double) -> Double? {
        guard let k = proposalsPerVideo.indices.min(by: { abs(proposalsPerVideo[$0] - proposals) < abs(proposalsPerVideo[$1] - proposals) })
        else { return nil }
        return averageRecall[k]
    }

    public init(groundTruth: GroundTruthFile, proposals: PredictionFile, subset: String? = "validation",
                maxAverageProposals: Double = 100, thresholds: [Double] = linspace(0.5, 0.95, count: 10)) throws(LocalizationError) {
        self.thresholds = thresholds
        var truthOrder: [String] = []
        var truths: [String: [(start: Double, end: Double)]] = [:]
        for video in groundTruth.videos(inSubset: subset) {
            for a in video.annotations {
                if truths[video.id] == nil { truthOrder.append(video.id) }
                truths[video.id, default: []].append((a.start, a.end))
            }
        }
        var byVideo: [String: [ScoredSegment]] = [:]
        var total = 0
        for video in proposals.videos {
            byVideo[video.id, default: []].append(contentsOf: video.predictions)
            total += video.predictions.count
        }
        guard maxAverageProposals > 0, maxAverageProposals <= 1e6 else {
            throw .invalidArgument("the largest average number of proposals must be in (0, 1e6], got \(maxAverageProposals)")
        }
        guard !truthOrder.isEmpty else { throw .invalidArgument("no ground-truth segments in the subset: AR@AN is undefined") }
        guard total > 0 else { throw .invalidArgument("the proposal file holds no proposals") }
        let videoCount = Double(truthOrder.count)
        let ratio = maxAverageProposals * videoCount / Double(total)
        // ious[v][g][k]: tIoU of ground truth g with the k-th kept proposal of video v.
        var ious: [[[Double]]] = []
        var kept = 0
        for id in truthOrder {
            let gt = truths[id] ?? []
            guard let list = byVideo[id], !list.isEmpty else { ious.append(gt.map { _ in [] }); continue }
            let order = descendingOrder(list.map(\.score))
            let count = Swift.min(Int(Double(list.count) * ratio), list.count)
            kept += count
            let top = order.prefix(count).map { list[$0] }
            // `wrapper_segment_iou(proposals, gt)`: each ground truth is the target against every proposal.
            ious.append(gt.map { g in top.map { temporalIoU((g.start, g.end), ($0.start, $0.end)) } })
        }
        guard kept > 0 else { throw .invalidArgument("no proposal kept in a video with ground truth: AR@AN is undefined") }
        let scale = maxAverageProposals * videoCount / Double(kept)
        let pcn = (1...100).map { Double($0) / 100.0 * scale }
        let positives = Double(ious.reduce(0) { $0 + $1.count })
        recall = thresholds.map { threshold in
            pcn.map { fraction in
                var matches = 0
                for video in ious {
                    // Unmatched videos hold `np.zeros((n, 1))`: one column of zeros, never a match.
                    let columns = video.first?.count ?? 0
                    let budget = Swift.min(Int(Double(Swift.max(columns, 1)) * fraction), Swift.max(columns, 1))
                    for row in video where row.prefix(budget).contains(where: { $0 >= threshold }) { matches += 1 }
                }
                return Double(matches) / positives
            }
        }
        proposalsPerVideo = pcn.map { $0 * (Double(kept) / videoCount) }
    }
}
