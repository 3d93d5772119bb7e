import VidiTensor

/// Similarities of captions and videos straight from raw inputs, for evaluating a model: WTI, TI, or
/// DRL's mean-pooling baseline (`dp_interaction` with `meanP`: the caption's end-of-text feature against the
/// normalised mean of the normalised frame features, both L2-normalised).
public enum RetrievalEvaluation {
    public enum Scoring: String, Sendable, CaseIterable { case wti, ti, mean }

    /// `frames[i]`: video i's frame features `[F_i, D]` from `encode_image`; `slots`: DRL's max frames.
    public static func similarity(model: RetrievalModel, captions: [String], frames: [Tensor], slots: Int,
                                  scoring: Scoring) throws -> [Float] {
        guard !captions.isEmpty, !frames.isEmpty else { throw RetrievalError.invalidArgument("nothing to evaluate") }
        let d = model.encoder.embedDim
        var values = [Float](repeating: 0, count: frames.count * slots * d)
        var mask = [Float](repeating: 0, count: frames.count * slots)
        for (v, f) in frames.enumerated() {
            let n = min(f.shape[0], slots), s = f.scalars
            for j in 0..<n {
                mask[v * slots + j] = 1
                for k in 0..<d { values[(v * slots + j) * d + k] = s[j * d + k] }
            }
        }
        let video = try TokenFeatures(Tensor(values, shape: [frames.count, slots, d]), mask: Tensor(mask, shape: [frames.count, slots]))
        switch scoring {
        case .wti, .ti:
            let kind: Interaction = scoring == .wti ? .wti : .ti
            let text = try model.encoder.encodeTextTokens(captions, maxTokens: model.maxTokens)
            let prepared = try FeatureScoring.prepareVideos(video, model: model.drl, interaction: kind)
            let queries = try FeatureScoring.prepareTexts(text, model: model.drl, interaction: kind).map { q -> ScoringQuery in
                var q = q; q.padded = q.count < model.maxTokens; return q
            }
            return WTIScorer.scores(queries, features: prepared.features, weights: prepared.weights, count: prepared.count, slots: slots)
        case .mean:
            let text = try model.encoder.encodeTexts(captions)
            let aggregated = try withNoGrad { try model.drl.aggregate(video) }
            let prepared = try FeatureScoring.prepareVideos(aggregated, model: nil, interaction: .ti)
            var pooled: [Float] = []
            for v in 0..<prepared.count {
                let rows = Array(prepared.features[(v * slots * d)..<((v + 1) * slots * d)])
                pooled += IndexedVideo.pool(rows, weights: Array(prepared.weights[(v * slots)..<((v + 1) * slots)]), dimension: d)
            }
            let t = text.scalars
            var sim = [Float](repeating: 0, count: captions.count * frames.count)
            for a in 0..<captions.count {
                let row = Array(t[(a * d)..<((a + 1) * d)])
                let norm = max(row.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
                for b in 0..<frames.count {
                    var dot: Float = 0
                    for k in 0..<d { dot += row[k] * pooled[b * d + k] }
                    sim[a * frames.count + b] = dot / norm
                }
            }
            return sim
        }
    }
}
