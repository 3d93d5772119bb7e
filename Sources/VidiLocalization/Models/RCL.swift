// Follows RCL (Wang et al., "RCL: Recurrent Continuous Localization for Temporal Action Detection",
// CVPR 2022). There is no public code; this implements the abstract's three ideas — continuous anchors
// scored by an explicit function of the video embedding and the segment's coordinates, scale-invariant
// query sampling in training, recurrent refinement — with the unknown parts designed as documented in
// Sources/VidiLocalization/RCL.md.
import Foundation
import VidiNN
import VidiTensor

/// RCL training: which 1/8 of the scale-invariant queries become span queries in videos with two actions or
/// more (RCL.md, "Span queries": measured over 5 seeds, neither choice beat the default without them).
public enum SpanQueries: String, Sendable, CaseIterable {
    /// One of the five around-truth slots, so the mostly short background queries stay.
    case fromTruth = "truth"
    /// One of the two background slots.
    case fromBackground = "background"
    /// No span queries (the default).
    case none
}

enum RCL {
    /// How training draws query segments.
    enum Sampling: String, Sendable, Codable {
        /// 5/8 around a ground truth chosen uniformly (every action gets the same share whatever its length),
        /// jittered *relative* to its length: log-length ± 0.7, centre ± length/2; 1/8 fragments inside a
        /// ground truth (log-uniform 5–50 % of its length); 1/4 background queries with log-uniform length in
        /// [0.3, T] and uniform centre. With `SpanQueries`, 1/8 of the queries (taken from the around-truth or the
        /// background share) span from one action to another when the video has two or more.
        case scaleInvariant
        /// The ablation: 3/4 around a ground truth with *absolute* jitter (± T/16 steps on centre and length),
        /// 1/4 uniform (start, end) pairs — long actions get near-perfect queries, short ones are missed.
        case uniform
    }

    /// Training queries of one video. `spans` (not the default): with scale-invariant sampling, 1/8 of the
    /// queries run from one action's start to a later action's end (RCL.md, "Span queries"). `uniformExtra`
    /// more queries are appended as uniform (start, end) pairs, the density BMN's map trains long segments
    /// at (RCL.md, "Query mixture"); `anchoredParts`: every other fragment shares one boundary with its action.
    static func sampleQueries(_ video: GridVideo, count: Int, sampling: Sampling, spans: SpanQueries = .none,
                              uniformExtra: Int = 0, anchoredParts: Bool = false,
                              generator g: inout RandomGenerator) -> [(Double, Double)] {
        let T = Double(video.length)
        let spanSlot = spans == .fromTruth ? 5 : spans == .fromBackground ? 7 : -1
        var out: [(Double, Double)] = []
        for q in 0..<(count + uniformExtra) {
            if q >= count {
                let pair = uniformPair(T, generator: &g)
                out.append(clip((pair.centre - pair.length / 2, pair.centre + pair.length / 2), T))
                continue
            }
            let span = sampling == .scaleInvariant && q % 8 == spanSlot && video.truths.count >= 2
            let aroundTruth = !video.truths.isEmpty && q % 4 != 3 && !span
            var centre: Double, length: Double
            switch (sampling, aroundTruth) {
            case (.scaleInvariant, true) where q % 16 == 14 && anchoredParts:
                // A part sharing one true boundary (20–80 % of the action, from its start or to its end): the
                // partial detections that rank above true ones on long actions end at a true boundary on one
                // side and at an edge inside the action (a distractor's) on the other (RCL.md, "Query mixture").
                let t = video.truths[g.nextIndex(below: video.truths.count)]
                length = (t.end - t.start) * Double(0.2 + 0.6 * g.nextUniform())
                centre = g.nextUniform() < 0.5 ? t.start + length / 2 : t.end - length / 2
            case (.scaleInvariant, true) where q % 8 == 6:
                // A fragment inside an action (5–50 % of its length): teaches low confidence to parts of
                // long actions, whose features look like the action itself.
                let t = video.truths[g.nextIndex(below: video.truths.count)]
                let L = t.end - t.start
                length = L * exp(log(0.05) + Double(g.nextUniform()) * (log(0.5) - log(0.05)))
                centre = t.start + length / 2 + Double(g.nextUniform()) * (L - length)
            case (.scaleInvariant, true):
                let t = video.truths[g.nextIndex(below: video.truths.count)]
                let L = t.end - t.start
                length = L * exp(Double(g.nextUniform() * 1.4 - 0.7))
                centre = (t.start + t.end) / 2 + Double(g.nextUniform() - 0.5) * L
            case (.scaleInvariant, false) where span:
                // From the start of one action to the end of another, each boundary jittered by ± 1/4 of its own
                // action's length: a merge of neighbours, whose ends are true boundaries and whose inside looks
                // like action. BMN's dense map scores every such cell in training; untrained, they scored like
                // the long actions they contain (RCL.md, "Span queries").
                let n = video.truths.count
                let i = g.nextIndex(below: n), j = (i + 1 + g.nextIndex(below: n - 1)) % n
                let (a, b) = video.truths[i].start <= video.truths[j].start ? (video.truths[i], video.truths[j]) : (video.truths[j], video.truths[i])
                let s = a.start + Double(g.nextUniform() - 0.5) * 0.5 * (a.end - a.start)
                let e = Swift.max(b.end + Double(g.nextUniform() - 0.5) * 0.5 * (b.end - b.start), s + 0.05)
                length = e - s
                centre = (s + e) / 2
            case (.scaleInvariant, false):
                length = exp(log(0.3) + Double(g.nextUniform()) * (log(T) - log(0.3)))
                centre = Double(g.nextUniform()) * T
            case (.uniform, true):
                let t = video.truths[g.nextIndex(below: video.truths.count)]
                let J = T / 16
                length = Swift.max(0.3, t.end - t.start + Double(g.nextUniform() * 2 - 1) * J)
                centre = (t.start + t.end) / 2 + Double(g.nextUniform() * 2 - 1) * J
            case (.uniform, false):
                (centre, length) = uniformPair(T, generator: &g)
            }
            out.append(clip((centre - length / 2, centre + length / 2), T))
        }
        return out
    }

    /// Centre and length of a segment between two uniform points of `[0, T]`, at least 0.3 steps long: every
    /// (start, end) of the grid equally likely, as the cells of BMN's map.
    static func uniformPair(_ T: Double, generator g: inout RandomGenerator) -> (centre: Double, length: Double) {
        let a = Double(g.nextUniform()) * T, b = Double(g.nextUniform()) * T
        return ((a + b) / 2, Swift.max(0.3, abs(a - b)))
    }

    /// Keeps a segment inside `[0, T]` and at least 0.05 steps long.
    static func clip(_ s: (Double, Double), _ T: Double) -> (Double, Double) {
        var a = Swift.min(Swift.max(s.0, 0), T), b = Swift.min(Swift.max(s.1, 0), T)
        if b - a < 0.05 { let c = Swift.min(Swift.max((a + b) / 2, 0.025), T - 0.025); a = c - 0.025; b = c + 0.025 }
        return (a, b)
    }

    /// Moves a segment by predicted offsets (in units of its length, clamped to ±2).
    static func refine(_ s: (Double, Double), _ ds: Float, _ de: Float, _ T: Double) -> (Double, Double) {
        let L = s.1 - s.0
        let a = s.0 + Double(Swift.max(-2, Swift.min(2, ds))) * L, b = s.1 + Double(Swift.max(-2, Swift.min(2, de))) * L
        return clip(b > a ? (a, b) : ((a + b) / 2 - 0.025, (a + b) / 2 + 0.025), T)
    }

    /// Σ over the K + 1 iterations of: logistic loss of the confidence against the query's tIoU, L1 of the
    /// boundary offsets (targets `(g_s − s)/L`, `(g_e − e)/L`) on queries with tIoU > 0.3, class
    /// cross-entropy on tIoU > 0.5; with `sharpConfidence`, BMN's balanced logistic of column 1 on tIoU > 0.9; plus
    /// the encoder's boundary loss. Refined queries are detached between
    /// iterations (the head is the same at every iteration, so the recurrence shares weights).
    static func loss(_ model: LocalizationModel, _ videos: [GridVideo], queries: Int, sampling: Sampling, spans: SpanQueries = .none,
                     uniformExtra: Int = 0, anchoredParts: Bool = false, generator: inout RandomGenerator) throws -> Tensor {
        let c = model.configuration
        let (embedding, startLogits, endLogits) = try model.encoder(GridVideo.batch(videos))
        var total = try LossTerms.boundaryLoss(startLogits, endLogits, videos: videos)
        var segments = videos.map { sampleQueries($0, count: queries, sampling: sampling, spans: spans, uniformExtra: uniformExtra,
                                                  anchoredParts: anchoredParts, generator: &generator) }
        for _ in 0...c.refinementSteps {
            let outputs = try model.query(embedding, segments)
            var iou: [Float] = [], matches: [(iou: Double, label: Int)] = []
            var offsetTargets: [Float] = [], offsetMask: [Float] = []
            for (b, video) in videos.enumerated() {
                for s in segments[b] {
                    let m = video.bestMatch(s)
                    iou.append(Float(m.iou))
                    matches.append((m.iou, m.index >= 0 ? video.truths[m.index].label : 0))
                    if m.index >= 0 && m.iou > 0.3 {
                        let t = video.truths[m.index], L = s.1 - s.0
                        offsetTargets += [Float((t.start - s.0) / L), Float((t.end - s.1) / L)].map { Swift.max(-2, Swift.min(2, $0)) }
                        offsetMask += [1, 1]
                    } else {
                        offsetTargets += [0, 0]; offsetMask += [0, 0]
                    }
                }
            }
            let n = iou.count
            total = try total + Losses.binaryCrossEntropyWithLogits(LossTerms.column(outputs, 0), Tensor(iou, shape: [n]))
            // BMN's L_cls on column 1 (positives tIoU > 0.9): a query that covers background next to an action
            // scores low here even where its IoU regression is still high (RCL.md, "Sharp confidence").
            if c.sharpConfidence, let sharp = try LossTerms.balancedLogistic(LossTerms.column(outputs, 1), labels: iou.map { $0 > 0.9 ? 1 : 0 }) {
                total = try total + sharp
            }
            let maskSum = offsetMask.reduce(0, +)
            if maskSum > 0 {
                let offsets = try outputs.reshaped([-1, 4 + c.classes.count]).sliced(axis: 1, start: 2, end: 4).reshaped([-1])
                let l1 = try ((offsets - Tensor(offsetTargets, shape: [2 * n])).abs() * Tensor(offsetMask, shape: [2 * n])).sum()
                total = try total + l1 / maskSum
            }
            if let ce = try LossTerms.classification(outputs, matches: matches) { total = try total + ce }
            let values = outputs.detached().contiguous().scalars, width = 4 + c.classes.count
            segments = segments.enumerated().map { b, list in
                list.enumerated().map { q, s in
                    let row = (b * list.count + q) * width
                    return refine(s, values[row + 2], values[row + 3], Double(c.gridLength))
                }
            }
        }
        return total
    }

    /// The inference query set: lengths 0.4 · 1.25^j below T and T itself, centres every max(0.5, L/8) steps — segments
    /// shorter than a grid step included, 1,804 queries at T = 64 (BMN's map has 2,080 cells).
    static func inferenceQueries(length: Int) -> [(Double, Double)] {
        let T = Double(length)
        var out: [(Double, Double)] = []
        var lengths: [Double] = []
        var L = 0.4
        while L < T - 1e-9 { lengths.append(L); L *= 1.25 }
        lengths.append(T)
        for L in lengths {
            let step = Swift.max(0.5, L / 8)
            var centre = Swift.min(L / 2, T / 2)
            while centre <= T - Swift.min(L / 2, T / 2) + 1e-9 { out.append(clip((centre - L / 2, centre + L / 2), T)); centre += step }
        }
        return out
    }

    /// Candidates after the K refinement iterations, scored by the last iteration's confidence (times column 1's
    /// sharp confidence when the model has it) times, as in
    /// BMN's score, the encoder's start and end probabilities read at the segment's (fractional) boundaries.
    static func candidates(_ model: LocalizationModel, _ videos: [GridVideo], refinementSteps: Int? = nil,
                           useBoundaries: Bool = true) throws -> [[Candidate]] {
        let c = model.configuration, width = 4 + c.classes.count
        let (embedding, startLogits, endLogits) = try model.encoder(GridVideo.batch(videos))
        let T = c.gridLength
        let starts = try startLogits.sigmoid().contiguous().scalars, ends = try endLogits.sigmoid().contiguous().scalars
        /// Boundary probability at a fractional boundary position (index t is the boundary at position t).
        func boundary(_ p: [Float], _ b: Int, _ x: Double) -> Double {
            let q = Swift.min(Swift.max(x, 0), Double(T - 1)), i = Int(q.rounded(.down)), j = Swift.min(i + 1, T - 1), w = q - Double(i)
            return (1 - w) * Double(p[b * T + i]) + w * Double(p[b * T + j])
        }
        var segments = Array(repeating: inferenceQueries(length: c.gridLength), count: videos.count)
        var values: [Float] = []
        let steps = refinementSteps ?? c.refinementSteps
        for k in 0...steps {
            values = try model.query(embedding, segments).contiguous().scalars
            if k == steps { break }
            segments = segments.enumerated().map { b, list in
                list.enumerated().map { q, s in
                    let row = (b * list.count + q) * width
                    return refine(s, values[row + 2], values[row + 3], Double(c.gridLength))
                }
            }
        }
        return segments.enumerated().map { b, list in
            list.enumerated().map { q, s in
                let row = (b * list.count + q) * width
                let evidence = useBoundaries ? boundary(starts, b, s.0) * boundary(ends, b, s.1) : 1
                let confidence = sigmoid(values[row]) * (c.sharpConfidence ? sigmoid(values[row + 1]) : 1)
                return Candidate(start: s.0, end: s.1, score: confidence * evidence, classProbabilities: softmax(values[(row + 4)..<(row + width)]))
            }
        }
    }
}
