/// Retrieval metrics exactly as DRL and CLIP4Clip compute them (foolwood/DRL `tvr/utils/metrics.py`
/// `compute_metrics`): query `i` matches candidate `i`; its rank is the position of `sim[i, i]` in the row
/// sorted descending, and on ties *every* tied position counts as one entry (so a row tied with two others
/// contributes ranks r, r+1, r+2 and the denominators grow). R@K in percent, MdR (numpy median) and MnR
/// are 1-based. Rows whose diagonal is NaN contribute nothing, as in the reference.
public struct RetrievalMetrics: Equatable, Sendable, Codable {
    public var r1: Double
    public var r5: Double
    public var r10: Double
    public var medianRank: Double
    public var meanRank: Double
    /// The 0-based rank entries the metrics were computed from (ties included).
    public var ranks: [Int]

    public init(similarity sim: [Float], rows: Int, columns: Int) throws {
        guard rows > 0, columns > 0, sim.count == rows * columns else {
            throw RetrievalError.shape("similarity of \(sim.count) values is not \(rows) x \(columns)")
        }
        guard rows <= columns else {
            throw RetrievalError.shape("query i must match candidate i: \(rows) queries but only \(columns) candidates")
        }
        var ranks: [Int] = []
        ranks.reserveCapacity(rows)
        for i in 0..<rows {
            let target = sim[i * columns + i]
            guard !target.isNaN else { continue }
            var greater = 0, equal = 0
            for j in 0..<columns {
                let x = sim[i * columns + j]
                // numpy sorts NaN last in `sort(-x)`, so NaN never precedes the target.
                if x > target { greater += 1 } else if x == target { equal += 1 }
            }
            for k in 0..<equal { ranks.append(greater + k) }
        }
        guard !ranks.isEmpty else { throw RetrievalError.invalidArgument("every diagonal similarity is NaN") }
        self.ranks = ranks
        let n = Double(ranks.count)
        r1 = Double(ranks.filter { $0 < 1 }.count) * 100 / n
        r5 = Double(ranks.filter { $0 < 5 }.count) * 100 / n
        r10 = Double(ranks.filter { $0 < 10 }.count) * 100 / n
        let sorted = ranks.sorted()
        let mid = sorted.count / 2
        let median = sorted.count % 2 == 1 ? Double(sorted[mid]) : (Double(sorted[mid - 1]) + Double(sorted[mid])) / 2
        medianRank = median + 1
        meanRank = Double(ranks.reduce(0, +)) / n + 1
    }

    /// Text-to-video on `sim` `[texts, videos]` and video-to-text on its transpose.
    public static func both(similarity sim: [Float], texts: Int, videos: Int) throws -> (t2v: RetrievalMetrics, v2t: RetrievalMetrics) {
        var transposed = [Float](repeating: 0, count: sim.count)
        for i in 0..<texts { for j in 0..<videos { transposed[j * texts + i] = sim[i * videos + j] } }
        return (try RetrievalMetrics(similarity: sim, rows: texts, columns: videos),
                try RetrievalMetrics(similarity: transposed, rows: videos, columns: texts))
    }
}
