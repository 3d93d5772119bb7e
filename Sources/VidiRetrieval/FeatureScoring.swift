import VidiTensor

/// Videos ready for `WTIScorer`: normalised frame features with zeroed padding slots and per-slot weights.
public struct PreparedVideos: Sendable {
    public var features: [Float]
    public var weights: [Float]
    public var count: Int
    public var slots: Int
    public var dimension: Int
}

/// Turns token features into what the fast scorer takes, with DRL's conventions: WTI weights from the
/// model's branches on unnormalised features (TI: masked means), features L2-normalised, padding zeroed.
public enum FeatureScoring {
    static func normalizedRows(_ x: Tensor, mask: [Float], rows: Int, dimension d: Int) throws -> [Float] {
        var values = try x.contiguous().toArray(Float.self)
        for r in 0..<rows {
            guard mask[r] > 0 else {
                for k in 0..<d { values[r * d + k] = 0 }
                continue
            }
            var norm: Float = 0
            for k in 0..<d { norm += values[r * d + k] * values[r * d + k] }
            let scale = 1 / Swift.max(norm.squareRoot(), 1e-12)
            for k in 0..<d { values[r * d + k] *= scale }
        }
        return values
    }

    static func weights(_ x: TokenFeatures, interaction: Interaction, branch: (TokenFeatures) throws -> Tensor) throws -> [Float] {
        switch interaction {
        case .wti: return try branch(x).scalars
        case .ti:
            let mask = x.mask.scalars, n = x.length
            var w = mask
            for b in 0..<x.batch {
                let count = mask[(b * n)..<((b + 1) * n)].reduce(0, +)
                for j in 0..<n { w[b * n + j] = mask[b * n + j] / count }
            }
            return w
        }
    }

    /// Videos after the model's temporal aggregation (if it has one).
    public static func prepareVideos(_ video: TokenFeatures, model: DRLModel?, interaction: Interaction) throws -> PreparedVideos {
        let aggregated = try withNoGrad { try model?.aggregate(video) ?? video }
        let w = try withNoGrad {
            try weights(aggregated, interaction: interaction) { x in
                guard let model else { throw RetrievalError.invalidArgument("WTI needs weights (--weights) with video_weight_fc.*") }
                return try model.videoWeights(x)
            }
        }
        let rows = aggregated.batch * aggregated.length
        let f = try normalizedRows(aggregated.features, mask: aggregated.mask.scalars, rows: rows, dimension: aggregated.dimension)
        return PreparedVideos(features: f, weights: w, count: aggregated.batch, slots: aggregated.length, dimension: aggregated.dimension)
    }

    /// One query per text, its valid tokens only; `padded` when the row had padding.
    public static func prepareTexts(_ text: TokenFeatures, model: DRLModel?, interaction: Interaction) throws -> [ScoringQuery] {
        let w = try withNoGrad {
            try weights(text, interaction: interaction) { x in
                guard let model else { throw RetrievalError.invalidArgument("WTI needs weights (--weights) with text_weight_fc.*") }
                return try model.textWeights(x)
            }
        }
        let n = text.length, d = text.dimension, mask = text.mask.scalars
        let f = try normalizedRows(text.features, mask: mask, rows: text.batch * n, dimension: d)
        var queries: [ScoringQuery] = []
        for a in 0..<text.batch {
            var tokens: [Float] = [], tw: [Float] = []
            for i in 0..<n where mask[a * n + i] > 0 {
                tokens.append(contentsOf: f[((a * n + i) * d)..<((a * n + i + 1) * d)])
                tw.append(w[a * n + i])
            }
            queries.append(try ScoringQuery(tokens: tokens, weights: tw, padded: tw.count < n))
        }
        return queries
    }

    /// The `[texts, videos]` similarity (unscaled), exactly `TokenInteraction`'s values.
    public static func similarity(text: TokenFeatures, video: TokenFeatures, model: DRLModel?, interaction: Interaction) throws -> [Float] {
        guard text.dimension == video.dimension else {
            throw RetrievalError.shape("text features are \(text.dimension)-d, video features \(video.dimension)-d")
        }
        let videos = try prepareVideos(video, model: model, interaction: interaction)
        let queries = try prepareTexts(text, model: model, interaction: interaction)
        return WTIScorer.scores(queries, features: videos.features, weights: videos.weights, count: videos.count, slots: videos.slots)
    }
}
