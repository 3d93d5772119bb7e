import VidiNN
import VidiTensor

/// Token-wise interaction between texts and videos, as DRL defines it (foolwood/DRL,
/// `tvr/models/modeling.py`, `DRL.wti_interaction`): differentiable, for training and for golden checks.
///
/// Token and frame features are L2-normalised; `S[a, b, i, j] = <t_ai, v_bj>` with padded entries set to 0
/// (before the max, so a zeroed padding entry can win it, as in the reference);
/// `t2v[a, b] = Σ_i w_t[a, i] max_j S`, `v2t[a, b] = Σ_j w_v[b, j] max_i S`, `sim = (t2v + v2t) / 2`.
/// WTI takes the softmax weights of `WeightBranch`; TI the masked means.
public enum Interaction: String, Sendable, CaseIterable {
    case wti, ti
}

public enum TokenInteraction {
    /// The output of one interaction: similarities `[A, B]` (unscaled) and, for CDCR, the index of the best
    /// frame for every (text, video, token) `[A, B, T]` and of the best token for every (text, video, frame)
    /// `[A, B, V]` (first maximum on ties, as `torch.max` on CPU), with the normalised features.
    public struct Result {
        public var similarity: Tensor
        public var bestFrame: Tensor
        public var bestToken: Tensor
        public var normalizedText: Tensor
        public var normalizedVideo: Tensor
    }

    /// `textWeights` `[A, T]` and `videoWeights` `[B, V]` are required for `.wti` and ignored for `.ti`.
    public static func interact(text: TokenFeatures, video: TokenFeatures, interaction: Interaction,
                                textWeights: Tensor? = nil, videoWeights: Tensor? = nil) throws -> Result {
        guard text.dimension == video.dimension else {
            throw RetrievalError.shape("text features are \(text.dimension)-d, video features \(video.dimension)-d")
        }
        let a = text.batch, t = text.length, b = video.batch, v = video.length, d = text.dimension
        let tn = try Losses.l2Normalized(text.features)
        let vn = try Losses.l2Normalized(video.features)
        // [A*T, D] x [D, B*V] -> [A, T, B, V] -> [A, B, T, V]
        var s = try tn.reshaped([a * t, d]).matmul(vn.reshaped([b * v, d]).transposed())
            .reshaped([a, t, b, v]).permuted([0, 2, 1, 3])
        let valid = try text.mask.reshaped([a, 1, t, 1]).gt(0).logicalAnd(video.mask.reshaped([1, b, 1, v]).gt(0))
        s = try Tensor.where(valid, s, Tensor.zeros([]))
        let t2vMax = try s.max(axis: 3)          // [A, B, T]
        let v2tMax = try s.max(axis: 2)          // [A, B, V]
        let bestFrame = try withNoGrad { try s.detached().argmax(axis: 3) }
        let bestToken = try withNoGrad { try s.detached().argmax(axis: 2) }
        let t2v: Tensor, v2t: Tensor
        switch interaction {
        case .ti:
            t2v = try (t2vMax * text.mask.reshaped([a, 1, t])).sum(axis: 2) / text.mask.sum(axis: 1).reshaped([a, 1])
            v2t = try (v2tMax * video.mask.reshaped([1, b, v])).sum(axis: 2) / video.mask.sum(axis: 1).reshaped([1, b])
        case .wti:
            guard let textWeights, textWeights.shape == [a, t] else {
                throw RetrievalError.shape("WTI needs text weights [\(a), \(t)], got \(textWeights?.shape.description ?? "none")")
            }
            guard let videoWeights, videoWeights.shape == [b, v] else {
                throw RetrievalError.shape("WTI needs video weights [\(b), \(v)], got \(videoWeights?.shape.description ?? "none")")
            }
            t2v = try (t2vMax * textWeights.reshaped([a, 1, t])).sum(axis: 2)
            v2t = try (v2tMax * videoWeights.reshaped([1, b, v])).sum(axis: 2)
        }
        return Result(similarity: try (t2v + v2t) * 0.5, bestFrame: bestFrame, bestToken: bestToken,
                      normalizedText: tn, normalizedVideo: vn)
    }

    /// The masked softmax of per-token logits `[B, N]`: padding gets −∞ before the softmax.
    public static func maskedSoftmax(_ logits: Tensor, mask: Tensor) throws -> Tensor {
        guard logits.shape == mask.shape else { throw RetrievalError.shape("weight logits \(logits.shape) vs mask \(mask.shape)") }
        return try logits.maskedFill(mask.eq(0), value: -.infinity).softmax(axis: -1)
    }
}
