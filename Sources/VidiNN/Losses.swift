import VidiTensor

/// How per-element losses are combined (PyTorch's `reduction`).
public enum LossReduction: Sendable {
    case none, mean, sum

    func apply(_ losses: Tensor) throws -> Tensor {
        switch self {
        case .none: return losses
        case .mean: return try losses.mean()
        case .sum: return try losses.sum()
        }
    }
}

/// Loss functions with `torch.nn.functional` semantics. All are differentiable with respect to their
/// float inputs (logits, predictions), never with respect to integer targets.
public enum Losses {
    /// Cross-entropy of `logits` `[N, C]` or `[N, C, d…]` against class indices `target` `[N]` / `[N, d…]`
    /// (int64 or int32). `weight` `[C]` rescales classes; targets equal to `ignoreIndex` contribute nothing;
    /// `labelSmoothing` ε mixes the target with a uniform distribution. The mean is weighted: divided by the
    /// total weight of the non-ignored targets, as PyTorch does.
    public static func crossEntropy(_ logits: Tensor, _ target: Tensor, weight: Tensor? = nil, ignoreIndex: Int64 = -100,
                                    labelSmoothing: Float = 0, reduction: LossReduction = .mean) throws -> Tensor {
        let op = "crossEntropy"
        guard logits.rank >= 2, target.rank == logits.rank - 1,
              target.shape == [logits.shape[0]] + Array(logits.shape.dropFirst(2)) else {
            throw TensorError.invalidArgument(op: op, reason: "logits \(logits.shape) and target \(target.shape) are not [N, C, …] and [N, …]")
        }
        guard target.dtype == .int64 || target.dtype == .int32 else {
            throw TensorError.dtypeMismatch(op: op, expected: .int64, actual: target.dtype)
        }
        guard (0...1).contains(labelSmoothing) else {
            throw TensorError.invalidArgument(op: op, reason: "label smoothing \(labelSmoothing) is outside [0, 1]")
        }
        let classes = logits.shape[1]
        if let weight, weight.shape != [classes] {
            throw TensorError.shapeMismatch(op: "\(op) class weight", lhs: weight.shape, rhs: [classes])
        }
        // Classes last, one row per prediction: [M, C].
        let rows = logits.rank == 2 ? logits
            : try logits.permuted([0] + Array(2..<logits.rank) + [1]).reshaped([-1, classes])
        let labels = try target.to(.int64).reshaped([-1])
        let logProbabilities = try rows.logSoftmax(axis: 1)
        let valid = try labels.ne(Tensor(scalar: ignoreIndex))
        let safeLabels = try Tensor.where(valid, labels, Tensor.zeros([], dtype: .int64))
        let validFloat = valid.to(.float32)
        let picked = try logProbabilities.gather(axis: 1, indices: safeLabels.unsqueezed(axis: 1)).squeezed(axis: 1)
        let targetWeight = try (weight.map { try $0.indexSelect(axis: 0, indices: safeLabels) } ?? Tensor.ones(labels.shape)) * validFloat
        var losses = try -(picked * targetWeight)
        if labelSmoothing > 0 {
            let weighted = try weight.map { try logProbabilities * $0 } ?? logProbabilities
            let smooth = try -(weighted.sum(axis: 1) * validFloat) / Float(classes)
            losses = try losses * (1 - labelSmoothing) + smooth * labelSmoothing
        }
        switch reduction {
        case .none: return try losses.reshaped(target.shape)
        case .sum: return try losses.sum()
        case .mean: return try losses.sum() / targetWeight.sum()
        }
    }

    /// Binary cross-entropy on logits, computed stably: `(1 − y)·x + (1 + (p − 1)·y)·log(1 + e^{−x})`
    /// with `p` = `positiveWeight` (broadcast over the last axis), times `weight` when given.
    public static func binaryCrossEntropyWithLogits(_ logits: Tensor, _ target: Tensor, weight: Tensor? = nil,
                                                    positiveWeight: Tensor? = nil, reduction: LossReduction = .mean) throws -> Tensor {
        guard logits.shape == target.shape else {
            throw TensorError.shapeMismatch(op: "binaryCrossEntropyWithLogits", lhs: logits.shape, rhs: target.shape)
        }
        // log(1 + e^{−x}) = log(1 + e^{−|x|}) + max(−x, 0), which never overflows.
        let softplusNegative = try (logits.abs().negated().exp() + 1).log() + logits.negated().relu()
        let logWeight = try positiveWeight.map { try (($0 - 1) * target) + 1 } ?? Tensor.ones([])
        var losses = try (1 - target) * logits + logWeight * softplusNegative
        if let weight { losses = try losses * weight }
        return try reduction.apply(losses)
    }

    /// Focal loss on logits (Lin et al., torchvision's `sigmoid_focal_loss`): BCE scaled by `(1 − p_t)^γ`
    /// and weighted by `α` for positives, `1 − α` for negatives (`alpha` < 0 disables that weighting).
    public static func sigmoidFocalLoss(_ logits: Tensor, _ target: Tensor, alpha: Float = 0.25, gamma: Float = 2,
                                        reduction: LossReduction = .none) throws -> Tensor {
        let p = try logits.sigmoid()
        let ce = try binaryCrossEntropyWithLogits(logits, target, reduction: .none)
        let pT = try p * target + (1 - p) * (1 - target)
        var losses = try ce * (1 - pT).pow(gamma)
        if alpha >= 0 { losses = try losses * (target * alpha + (1 - target) * (1 - alpha)) }
        return try reduction.apply(losses)
    }

    /// How `klDivergence` reduces: PyTorch's `batchmean` divides the sum by the batch size (the true KL).
    public enum KLReduction: Sendable { case none, sum, mean, batchMean }

    /// KL(target ‖ exp(input)) pointwise `target · (log target − input)` for log-probabilities `input`
    /// (`F.kl_div`); with `logTarget`, `target` holds log-probabilities too. Zero where target is 0.
    public static func klDivergence(_ input: Tensor, _ target: Tensor, reduction: KLReduction = .batchMean,
                                    logTarget: Bool = false) throws -> Tensor {
        guard input.shape == target.shape else { throw TensorError.shapeMismatch(op: "klDivergence", lhs: input.shape, rhs: target.shape) }
        let pointwise: Tensor
        if logTarget {
            pointwise = try target.exp() * (target - input)
        } else {
            let positive = try target.gt(0)
            // log of a clamped target keeps 0·log 0 out of the graph (it would be NaN, even unselected).
            let logTarget = try target.clamp(min: Float.leastNormalMagnitude).log()
            pointwise = try Tensor.where(positive, target * (logTarget - input), Tensor.zeros([]))
        }
        switch reduction {
        case .none: return pointwise
        case .sum: return try pointwise.sum()
        case .mean: return try pointwise.mean()
        case .batchMean: return try pointwise.sum() / Float(max(1, input.rank > 0 ? input.shape[0] : 1))
        }
    }

    /// Mean squared error.
    public static func mse(_ prediction: Tensor, _ target: Tensor, reduction: LossReduction = .mean) throws -> Tensor {
        let difference = try prediction - target
        return try reduction.apply(difference * difference)
    }

    /// Smooth L1 (Huber scaled by 1/β): `0.5 d²/β` where `|d| < β`, else `|d| − 0.5 β`; β = 0 is L1.
    public static func smoothL1(_ prediction: Tensor, _ target: Tensor, beta: Float = 1, reduction: LossReduction = .mean) throws -> Tensor {
        guard beta >= 0 else { throw TensorError.invalidArgument(op: "smoothL1", reason: "beta \(beta) is negative") }
        let difference = try (prediction - target).abs()
        guard beta > 0 else { return try reduction.apply(difference) }
        let quadratic = try difference * difference * (0.5 / beta)
        let linear = try difference - 0.5 * beta
        return try reduction.apply(Tensor.where(difference.lt(beta), quadratic, linear))
    }

    /// Rows scaled to unit L2 norm, `x / max(‖x‖, ε)` (`F.normalize`).
    public static func l2Normalized(_ x: Tensor, axis: Int = -1, epsilon: Float = 1e-12) throws -> Tensor {
        try x / (x * x).sum(axis: axis, keepDims: true).sqrt().clamp(min: epsilon)
    }

    /// InfoNCE with in-batch negatives (CPC, SimCLR/MoCo-style, CLIP): row `i` of `query` `[N, D]` should match
    /// row `i` of `key` `[N, D]` among all keys; logits are cosine similarities over `temperature`.
    /// `symmetric` averages the query→key and key→query directions (CLIP's loss).
    public static func infoNCE(query: Tensor, key: Tensor, temperature: Float = 0.07, symmetric: Bool = false) throws -> Tensor {
        guard query.rank == 2, query.shape == key.shape else {
            throw TensorError.invalidArgument(op: "infoNCE", reason: "query \(query.shape) and key \(key.shape) must both be [N, D]")
        }
        guard temperature > 0 else { throw TensorError.invalidArgument(op: "infoNCE", reason: "temperature \(temperature) must be positive") }
        let logits = try l2Normalized(query).matmul(l2Normalized(key).transposed()) / temperature
        let labels = Tensor.arange(count: query.shape[0])
        let forward = try crossEntropy(logits, labels)
        guard symmetric else { return forward }
        return try (forward + crossEntropy(logits.transposed(), labels)) / 2
    }
}
