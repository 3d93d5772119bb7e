import VidiTensor

/// STM's soft aggregation as STCN's `model/aggregate.py` computes it: background = prod(1 - p), the
/// K + 1 probabilities clamped to [1e-7, 1 - 1e-7], logits = log(p / (1 - p)), softmax over the K + 1.
public enum SoftAggregation {
    /// `[K, ...]` object probabilities -> `[K + 1, ...]` (background first), summing to 1.
    public static func aggregate(_ probabilities: Tensor) throws -> Tensor {
        try logits(probabilities).softmax(axis: 0)
    }

    /// The `[K + 1, ...]` logits before the softmax (what training's cross-entropy takes).
    public static func logits(_ probabilities: Tensor) throws -> Tensor {
        let background = try (1 - probabilities).prod(axis: 0, keepDims: true)
        let all = try Tensor.concatenate([background, probabilities], axis: 0).clamp(min: 1e-7, max: 1 - 1e-7)
        return try (all / (1 - all)).log()
    }
}
