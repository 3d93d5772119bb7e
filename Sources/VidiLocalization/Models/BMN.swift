// Follows BMN (Lin et al., ICCV 2019; JJBOY/BMN-Boundary-Matching-Network: models.py, loss_function.py,
// post_processing.py): a D × T boundary-matching map of every anchor [s, s + d] on the grid, read through a
// fixed linear-interpolation sampling (here `AnchorSampling`, 1 sample per bin instead of 3), scored by a
// per-cell MLP (BMN's 1×1 convolutions), trained with TEM + 10·L_reg + L_cls. The class cross-entropy on
// anchors with tIoU > 0.5 is added (BMN leaves classes to a video-level classifier) so both heads classify alike.
import VidiNN
import VidiTensor

enum BMN {
    /// Every anchor `[s, s + d]`, `d = 1…D`, `s + d ≤ T`, in grid units.
    static func anchors(_ c: LocalizerConfiguration) -> [(Double, Double)] {
        var out: [(Double, Double)] = []
        for d in 1...c.maxDuration { for s in 0...(c.gridLength - d) { out.append((Double(s), Double(s + d))) } }
        return out
    }

    static func loss(_ model: LocalizationModel, _ videos: [GridVideo], generator: inout RandomGenerator) throws -> Tensor {
        let x = try GridVideo.batch(videos)
        let (embedding, startLogits, endLogits) = try model.encoder(x)
        let anchors = anchors(model.configuration)
        let outputs = try model.query(embedding, Array(repeating: anchors, count: videos.count))
        let matches = videos.flatMap { v in anchors.map { a in let m = v.bestMatch(a); return (m.iou, m.index >= 0 ? v.truths[m.index].label : 0) } }
        let iou = matches.map { Float($0.0) }
        // L_reg: MSE of sigmoid(reg) with tIoU; (0.3, 0.7] and ≤ 0.3 subsampled to about the count of > 0.7.
        let high = iou.filter { $0 > 0.7 }.count, mid = iou.filter { $0 > 0.3 && $0 <= 0.7 }.count, low = iou.filter { $0 <= 0.3 }.count
        let (rm, rl) = (Float(high) / Float(Swift.max(mid, 1)), Float(high) / Float(Swift.max(low, 1)))
        var weights = iou.map { v -> Float in
            if v > 0.7 { return 1 }
            return generator.nextUniform() < (v > 0.3 ? rm : rl) ? 1 : 0
        }
        if weights.reduce(0, +) == 0 { weights = iou.map { _ in 1 } }
        let reg = try LossTerms.column(outputs, 0).sigmoid()
        let diff = try reg - Tensor(iou, shape: [iou.count])
        let lossReg = try (diff * diff * Tensor(weights, shape: [weights.count])).sum() * (0.5 / weights.reduce(0, +))
        // L_cls: balanced logistic with positives tIoU > 0.9.
        var total = try 10 * lossReg + LossTerms.boundaryLoss(startLogits, endLogits, videos: videos)
        if let cls = try LossTerms.balancedLogistic(LossTerms.column(outputs, 1), labels: iou.map { $0 > 0.9 ? 1 : 0 }) { total = try total + cls }
        if let ce = try LossTerms.classification(outputs, matches: matches.map { ($0.0, $0.1) }) { total = try total + ce }
        return total
    }

    /// Candidates of one batch: BMN's score `start · end · sigmoid(cls) · sigmoid(reg)` on anchors whose start
    /// and end are boundary peaks or above half the maximum, with class probabilities.
    static func candidates(_ model: LocalizationModel, _ videos: [GridVideo]) throws -> [[Candidate]] {
        let c = model.configuration
        let x = try GridVideo.batch(videos)
        let (embedding, startLogits, endLogits) = try model.encoder(x)
        let anchors = anchors(c)
        let outputs = try model.query(embedding, Array(repeating: anchors, count: videos.count)).contiguous().scalars
        let starts = try startLogits.sigmoid().contiguous().scalars, ends = try endLogits.sigmoid().contiguous().scalars
        let width = 4 + c.classes.count, T = c.gridLength
        return videos.indices.map { b in
            let sp = Array(starts[(b * T)..<((b + 1) * T)]), ep = Array(ends[(b * T)..<((b + 1) * T)])
            let startOK = peaks(sp), endOK = peaks(ep)
            var out: [Candidate] = []
            for (q, a) in anchors.enumerated() {
                let si = Int(a.0), ei = Swift.min(Int(a.1), T - 1)
                guard startOK[si], endOK[ei] else { continue }
                let o = Array(outputs[((b * anchors.count + q) * width)..<((b * anchors.count + q + 1) * width)])
                let score = Double(sp[si] * ep[ei]) * sigmoid(o[0]) * sigmoid(o[1])
                out.append(Candidate(start: a.0, end: a.1, score: score, classProbabilities: softmax(Array(o[4...]))))
            }
            return out
        }
    }

    /// BMN's boundary candidates: local maxima or above half the sequence maximum.
    static func peaks(_ p: [Float]) -> [Bool] {
        let top = p.max() ?? 0
        return p.indices.map { t in
            p[t] > 0.5 * top || (t > 0 && t < p.count - 1 && p[t] > p[t - 1] && p[t] > p[t + 1]) || t == 0 || t == p.count - 1
        }
    }
}

/// A scored segment in grid units before suppression.
struct Candidate {
    var start: Double
    var end: Double
    var score: Double
    var classProbabilities: [Double]
}

func sigmoid(_ x: Float) -> Double { 1 / (1 + Foundation.exp(-Double(x))) }

func softmax(_ x: ArraySlice<Float>) -> [Double] { softmax(Array(x)) }
func softmax(_ x: [Float]) -> [Double] {
    let top = Double(x.max() ?? 0)
    let e = x.map { Foundation.exp(Double($0) - top) }
    let total = e.reduce(0, +)
    return e.map { $0 / total }
}

import Foundation
