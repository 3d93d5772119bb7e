import VidiNN
import VidiTensor

/// Loss pieces both heads use, with BMN's definitions (JJBOY/BMN-Boundary-Matching-Network, loss_function.py).
enum LossTerms {
    /// BMN's `bi_loss`: logistic loss weighted `0.5·r` on positives (label > 0.5) and `0.5·r/(r − 1)` on
    /// negatives, `r` = entries / positives, averaged over entries. `nil` when there is no positive or no negative.
    static func balancedLogistic(_ logits: Tensor, labels: [Float], mask: [Float]? = nil) throws -> Tensor? {
        let m = mask ?? [Float](repeating: 1, count: labels.count)
        let entries = m.reduce(0, +)
        let positives = zip(labels, m).reduce(Float(0)) { $0 + ($1.0 > 0.5 ? $1.1 : 0) }
        guard positives > 0, positives < entries else { return nil }
        let ratio = entries / positives
        let (wp, wn) = (0.5 * ratio, 0.5 * ratio / (ratio - 1))
        let weights = zip(labels, m).map { ($0 > 0.5 ? wp : wn) * $1 }
        let targets = labels.map { $0 > 0.5 ? Float(1) : 0 }
        let shape = logits.shape
        let loss = try Losses.binaryCrossEntropyWithLogits(logits, Tensor(targets, shape: shape), weight: Tensor(weights, shape: shape), reduction: .sum)
        return try loss / entries
    }

    /// Boundary labels (BMN's TEM): index `t` is the boundary at grid position `t`; its label is the fraction of
    /// `[t − 0.5, t + 0.5]` inside a band of 3 steps around any ground-truth start (or end).
    static func boundaryLabels(_ video: GridVideo, starts: Bool) -> [Float] {
        (0..<video.length).map { t in
            var best = 0.0
            for g in video.truths {
                let b = starts ? g.start : g.end
                best = Swift.max(best, Swift.max(0, Swift.min(Double(t) + 0.5, b + 1.5) - Swift.max(Double(t) - 0.5, b - 1.5)))
            }
            return Float(best)
        }
    }

    /// Start and end boundary loss over a batch.
    static func boundaryLoss(_ startLogits: Tensor, _ endLogits: Tensor, videos: [GridVideo]) throws -> Tensor {
        var total = Tensor(Float(0))
        if let s = try balancedLogistic(startLogits, labels: videos.flatMap { boundaryLabels($0, starts: true) }) { total = try total + s }
        if let e = try balancedLogistic(endLogits, labels: videos.flatMap { boundaryLabels($0, starts: false) }) { total = try total + e }
        return total
    }

    /// Cross-entropy of the class logits (columns 4…) on the queries whose best tIoU exceeds 0.5.
    static func classification(_ outputs: Tensor, matches: [(iou: Double, label: Int)]) throws -> Tensor? {
        let classes = outputs.shape[outputs.rank - 1] - 4
        let targets = matches.map { $0.iou > 0.5 ? Int64($0.label) : -100 }
        guard targets.contains(where: { $0 >= 0 }) else { return nil }
        let logits = try outputs.reshaped([-1, 4 + classes]).sliced(axis: 1, start: 4)
        return try Losses.crossEntropy(logits, Tensor(targets, shape: [targets.count]), ignoreIndex: -100)
    }

    /// Column `k` of `[B, Q, 4 + classes]` outputs as `[B·Q]`.
    static func column(_ outputs: Tensor, _ k: Int) throws -> Tensor {
        try outputs.reshaped([-1, outputs.shape[outputs.rank - 1]]).sliced(axis: 1, start: k, end: k + 1).reshaped([-1])
    }
}
