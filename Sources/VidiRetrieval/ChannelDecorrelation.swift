import VidiTensor

/// Channel decorrelation regularisation (CDCR), the matched-token variant DRL uses with token-wise
/// interaction (foolwood/DRL `modeling.py` `wti_interaction`: `--cdcr 3` for WTI, `--cdcr 2` for TI).
///
/// Each valid text token is paired with the frame of its own video that it matches best, each valid frame
/// with the best token of its own text; every channel is z-scored (unbiased std) over the batch's valid
/// rows; `C_text = Σ_n w_n z_a[n] z_b[n]ᵀ / B` (WTI: token weights, divided by the batch size) or the plain
/// mean over rows (TI), likewise `C_video`; `C = (C_text + C_video) / 2` and
/// `L = α1 Σ_i (C_ii − 1)² + α2 Σ_{i≠j} C_ij²`.
public struct ChannelDecorrelation: Sendable {
    public var alpha1: Float
    public var alpha2: Float

    /// DRL's released WTI runs: α1 = 0.14, α2 = 0 (with λ = 0.001 in the total loss).
    public init(alpha1: Float = 0.14, alpha2: Float = 0) {
        self.alpha1 = alpha1
        self.alpha2 = alpha2
    }

    /// The loss for a square training batch. `textWeights` / `videoWeights` switch on the WTI form.
    public func loss(_ interaction: TokenInteraction.Result, text: TokenFeatures, video: TokenFeatures,
                     textWeights: Tensor? = nil, videoWeights: Tensor? = nil) throws -> Tensor {
        let b = text.batch, t = text.length, v = video.length, d = text.dimension
        guard video.batch == b else { throw RetrievalError.shape("CDCR needs paired batches, got \(b) texts and \(video.batch) videos") }
        let bestFrame = try interaction.bestFrame.toArray(Int64.self)   // [B, B, T]
        let bestToken = try interaction.bestToken.toArray(Int64.self)   // [B, B, V]
        let tmask = text.mask.scalars, vmask = video.mask.scalars
        var tokenRows: [Int64] = [], matchedFrames: [Int64] = []
        for a in 0..<b { for i in 0..<t where tmask[a * t + i] > 0 {
            tokenRows.append(Int64(a * t + i))
            matchedFrames.append(Int64(a * v) + bestFrame[(a * b + a) * t + i])
        } }
        var frameRows: [Int64] = [], matchedTokens: [Int64] = []
        for a in 0..<b { for j in 0..<v where vmask[a * v + j] > 0 {
            frameRows.append(Int64(a * v + j))
            matchedTokens.append(Int64(a * t) + bestToken[(a * b + a) * v + j])
        } }
        guard tokenRows.count > 1, frameRows.count > 1 else {
            throw RetrievalError.invalidArgument("CDCR needs at least two valid tokens and two valid frames in a batch")
        }
        let tn = try interaction.normalizedText.reshaped([b * t, d])
        let vn = try interaction.normalizedVideo.reshaped([b * v, d])
        func rows(_ x: Tensor, _ index: [Int64]) throws -> Tensor {
            try x.indexSelect(axis: 0, indices: Tensor(elements: index, shape: [index.count]))
        }
        // The reference divides by the standard deviation as it is; a channel constant over the batch (every
        // frame matching the start token, whose feature is the same in every text) would give NaN. The floor
        // changes nothing when the deviation is above 1e-6.
        func zscore(_ x: Tensor) throws -> Tensor {
            try (x - x.mean(axis: 0, keepDims: true)) / x.std(axis: 0, unbiased: true, keepDims: true).clamp(min: 1e-6)
        }
        let za = try zscore(rows(tn, tokenRows)), zb = try zscore(rows(vn, matchedFrames))
        let xa = try zscore(rows(vn, frameRows)), xb = try zscore(rows(tn, matchedTokens))
        let c1: Tensor, c2: Tensor
        if let textWeights, let videoWeights {
            guard textWeights.shape == [b, t], videoWeights.shape == [b, v] else {
                throw RetrievalError.shape("CDCR weights \(textWeights.shape) / \(videoWeights.shape) do not match [\(b), \(t)] / [\(b), \(v)]")
            }
            let wt = try rows(textWeights.reshaped([b * t, 1]), tokenRows)
            let wv = try rows(videoWeights.reshaped([b * v, 1]), frameRows)
            c1 = try (za * wt).transposed().matmul(zb) / Float(b)
            c2 = try (xa * wv).transposed().matmul(xb) / Float(b)
        } else {
            c1 = try za.transposed().matmul(zb) / Float(tokenRows.count)
            c2 = try xa.transposed().matmul(xb) / Float(frameRows.count)
        }
        let c = try (c1 + c2) * 0.5
        let eye = Tensor.eye(d)
        let diagonal = try (c * eye).sum(axis: 1)
        let onDiagonal = try ((diagonal - 1) * (diagonal - 1)).sum()
        let offDiagonal = try (c * c * (1 - eye)).sum()
        return try onDiagonal * alpha1 + offDiagonal * alpha2
    }
}
