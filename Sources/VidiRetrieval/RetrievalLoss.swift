import VidiTensor

/// DRL's training objective (foolwood/DRL `modeling.py` `DRL.forward`, `until_module.py` `CrossEn`):
/// `(CrossEn(s) + CrossEn(sᵀ)) / 2` on `s = exp(logit_scale) · sim`, plus `λ · CDCR`.
public enum RetrievalLoss {
    /// `CrossEn`: the mean over rows of `−log softmax(s)[i, i]`; `s` must be square.
    public static func crossEntropyDiagonal(_ logits: Tensor) throws -> Tensor {
        guard logits.rank == 2, logits.shape[0] == logits.shape[1], logits.shape[0] > 0 else {
            throw RetrievalError.shape("the similarity matrix of a training batch must be square, got \(logits.shape)")
        }
        let n = logits.shape[0]
        return try (logits.logSoftmax(axis: 1) * Tensor.eye(n)).sum().negated() / Float(n)
    }

    /// The symmetric cross-entropy of `sim` `[B, B]` scaled by `exp(logitScale)` (the parameter, a scalar).
    public static func symmetric(_ sim: Tensor, logitScale: Tensor) throws -> Tensor {
        let scaled = try sim * logitScale.exp()
        return try (crossEntropyDiagonal(scaled) + crossEntropyDiagonal(scaled.transposed())) * 0.5
    }
}
