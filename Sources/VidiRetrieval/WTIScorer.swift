import COpenBLAS
import VidiTensor

/// One query for `WTIScorer`: its valid tokens (or frames, for video-to-video), L2-normalised, `[T, D]`
/// row-major, and their weights (WTI: the softmax weights; TI: `1/T` each).
public struct ScoringQuery: Sendable {
    public var tokens: [Float]
    public var weights: [Float]
    /// True when the reference would have padded this query (DRL pads texts to 32 tokens): a zeroed padded
    /// token then joins every max over tokens, as in DRL's `wti_interaction`.
    public var padded: Bool

    public init(tokens: [Float], weights: [Float], padded: Bool) throws {
        guard !weights.isEmpty, tokens.count % weights.count == 0, tokens.count > 0 else {
            throw RetrievalError.shape("query of \(tokens.count) values does not hold \(weights.count) tokens")
        }
        self.tokens = tokens; self.weights = weights; self.padded = padded
    }

    public var count: Int { weights.count }
    public var dimension: Int { tokens.count / weights.count }
}

/// Exact WTI / TI scores without autograd, for evaluation, search and benchmarks: the same formula as
/// `TokenInteraction` (DRL's `wti_interaction`) computed as one SGEMM per block of videos, the maxima and
/// weighted sums fused over the product in cache, never materialising `[A, B, T, V]`.
///
/// Videos are stored as `frameSlots` rows each of normalised features, padded slots all zero (so their dot
/// products are the reference's zeroed padding), with per-slot weights (0 for padding).
public enum WTIScorer {
    /// Videos per SGEMM block: `T × 256·V` floats of products stay in L2.
    public static let block = 256

    /// Scores of `query` against videos `[0, count)` of `features` (`count · slots · D`) with `weights`
    /// (`count · slots`), written to `out[0..<count]`.
    public static func score(_ query: ScoringQuery, features: UnsafeBufferPointer<Float>, weights: UnsafeBufferPointer<Float>,
                             count: Int, slots: Int, out: UnsafeMutableBufferPointer<Float>,
                             scratch: inout [Float]) {
        let t = query.count, d = query.dimension
        precondition(features.count >= count * slots * d && weights.count >= count * slots && out.count >= count)
        let needed = t * block * slots
        if scratch.count < needed { scratch = [Float](repeating: 0, count: needed) }
        query.tokens.withUnsafeBufferPointer { q in
            query.weights.withUnsafeBufferPointer { wq in
                scratch.withUnsafeMutableBufferPointer { s in
                    var start = 0
                    while start < count {
                        let n = min(block, count - start), columns = n * slots
                        // S[t, c] = <q_t, f_c> for the block's frame slots c.
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(t), Int32(columns), Int32(d), 1,
                                    q.baseAddress, Int32(d), features.baseAddress! + start * slots * d, Int32(d),
                                    0, s.baseAddress, Int32(columns))
                        reduce(s.baseAddress!, t: t, videos: n, slots: slots, queryWeights: wq.baseAddress!,
                               queryPadded: query.padded, videoWeights: weights.baseAddress! + start * slots,
                               out: out.baseAddress! + start)
                        start += n
                    }
                }
            }
        }
    }

    /// `(Σ_t wq_t max_j S[t, j] + Σ_j wv_j max_t S[t, j]) / 2` per video of a block.
    @inline(__always)
    static func reduce(_ s: UnsafeMutablePointer<Float>, t: Int, videos: Int, slots: Int, queryWeights: UnsafePointer<Float>,
                       queryPadded: Bool, videoWeights: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>) {
        let columns = videos * slots
        var columnMax = [Float](repeating: 0, count: slots)
        columnMax.withUnsafeMutableBufferPointer { cm in
            for b in 0..<videos {
                let base = b * slots
                for j in 0..<slots { cm[j] = queryPadded ? 0 : -.infinity }
                var t2v: Float = 0
                for i in 0..<t {
                    let row = s + i * columns + base
                    var best = -Float.infinity
                    for j in 0..<slots {
                        let x = row[j]
                        best = Swift.max(best, x)
                        cm[j] = Swift.max(cm[j], x)
                    }
                    t2v += queryWeights[i] * best
                }
                var v2t: Float = 0
                let w = videoWeights + base
                for j in 0..<slots { v2t += w[j] * cm[j] }
                out[b] = (t2v + v2t) * 0.5
            }
        }
    }

    /// Query rows per SGEMM in `scores`: queries are stacked so each block of videos is read from memory
    /// once per group instead of once per query.
    public static let groupRows = 256

    /// The full `[A, B]` matrix for several queries (evaluation).
    public static func scores(_ queries: [ScoringQuery], features: [Float], weights: [Float], count: Int, slots: Int) -> [Float] {
        var result = [Float](repeating: 0, count: queries.count * count)
        guard let d = queries.first?.dimension else { return result }
        // Group consecutive queries up to `groupRows` token rows.
        var groups: [Range<Int>] = []
        var start = 0, rows = 0
        for (a, q) in queries.enumerated() {
            if rows > 0, rows + q.count > groupRows { groups.append(start..<a); start = a; rows = 0 }
            rows += q.count
        }
        groups.append(start..<queries.count)
        var scratch: [Float] = []
        features.withUnsafeBufferPointer { f in
            weights.withUnsafeBufferPointer { w in
                result.withUnsafeMutableBufferPointer { r in
                    for group in groups {
                        let members = Array(queries[group])
                        let tokens = members.flatMap(\.tokens)
                        let t = tokens.count / d
                        let needed = t * block * slots
                        if scratch.count < needed { scratch = [Float](repeating: 0, count: needed) }
                        tokens.withUnsafeBufferPointer { q in
                            scratch.withUnsafeMutableBufferPointer { sp in
                                var videoStart = 0
                                while videoStart < count {
                                    let n = min(block, count - videoStart), columns = n * slots
                                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(t), Int32(columns), Int32(d), 1,
                                                q.baseAddress, Int32(d), f.baseAddress! + videoStart * slots * d, Int32(d),
                                                0, sp.baseAddress, Int32(columns))
                                    var row = 0
                                    for (k, query) in members.enumerated() {
                                        let a = group.lowerBound + k
                                        query.weights.withUnsafeBufferPointer { wq in
                                            reduce(sp.baseAddress! + row * columns, t: query.count, videos: n, slots: slots,
                                                   queryWeights: wq.baseAddress!, queryPadded: query.padded,
                                                   videoWeights: w.baseAddress! + videoStart * slots,
                                                   out: r.baseAddress! + a * count + videoStart)
                                        }
                                        row += query.count
                                    }
                                    videoStart += n
                                }
                            }
                        }
                    }
                }
            }
        }
        return result
    }
}
