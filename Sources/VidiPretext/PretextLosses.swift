// The pretext losses as reference/pretext.md defines them: MoSI's 9-class cross-entropy; HiCo's visual
// InfoNCE (tau 0.1, anchors clip 0 and clip 1, negatives every clip of the other videos) and topical
// focal BCE (gamma 0.5) over the pairwise topical head's logits; CMD's dense motion InfoNCE and
// clip-keyframe context InfoNCE (tau 0.1). Checked against the numpy reference in
// Tools/goldens/make_pretext_loss_goldens.py.
import VidiNN
import VidiTensor

public enum PretextLosses {
    /// MoSI: cross-entropy of `logits` [N, 9] against the class labels [N] (int64).
    public static func mosi(logits: Tensor, labels: Tensor) throws -> Tensor {
        try Losses.crossEntropy(logits, labels)
    }

    /// HiCo visual consistency. `projections` [B, V, D] (V >= 2 clips per video, clip 0 and clip 1 the
    /// visually consistent pair) are L2-normalised; anchor (b, 0) must pick (b, 1) and (b, 1) must pick
    /// (b, 0) among themselves and every clip of the other videos (the video's other clips are left out),
    /// by cosine similarity over `temperature`. Mean over the 2B anchors. `extraNegatives` [M, D] (e.g.
    /// time-reversed clips, see HiCoModel) are further keys that every anchor must reject.
    public static func hicoVisual(projections: Tensor, extraNegatives: Tensor? = nil, temperature: Float = 0.1) throws -> Tensor {
        guard projections.rank == 3, projections.shape[1] >= 2, temperature > 0 else {
            throw PretextError.invalidArgument("hicoVisual needs projections [B, V >= 2, D] and a positive temperature, got \(projections.shape)")
        }
        if let extra = extraNegatives, extra.rank != 2 || extra.shape[1] != projections.shape[2] {
            throw PretextError.invalidArgument("hicoVisual's extra negatives must be [M, \(projections.shape[2])], got \(extra.shape)")
        }
        let b = projections.shape[0], v = projections.shape[1], d = projections.shape[2], n = b * v
        let z = try Losses.l2Normalized(projections.reshaped([n, d]))
        let keys = try extraNegatives.map { try Tensor.concatenate([z, Losses.l2Normalized($0)], axis: 0) } ?? z
        let columns = keys.shape[0]
        var mask = [Float](repeating: 0, count: n * columns)
        var targets = [Int64](repeating: -100, count: n)
        for i in 0..<n {
            let video = i / v, clip = i % v
            if clip < 2 { targets[i] = Int64(video * v + (1 - clip)) }
            for j in (video * v)..<((video + 1) * v) where j != Int(targets[i]) { mask[i * columns + j] = -1e9 }
        }
        let logits = try z.matmul(keys.transposed()) / temperature + Tensor(mask, shape: [n, columns])
        return try Losses.crossEntropy(logits, Tensor(targets, shape: [n]))
    }

    /// HiCo's pairwise topical head on features [N, D]: for every pair (i, j),
    /// `w2 · relu(w1 · [f_i; f_j] + b1) + b2` with `w1` [H, 2D], `b1` [H], `w2` [1, H], `b2` [1] (PyTorch
    /// Linear layouts), computed without materialising the concatenations. Returns logits [N, N].
    public static func hicoPairLogits(features: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor) throws -> Tensor {
        guard features.rank == 2, w1.rank == 2, w1.shape[1] == 2 * features.shape[1] else {
            throw PretextError.invalidArgument("hicoPairLogits needs features [N, D] and w1 [H, 2D], got \(features.shape) and \(w1.shape)")
        }
        let n = features.shape[0], d = features.shape[1], h = w1.shape[0]
        let left = try features.matmul(w1.narrowed(axis: 1, start: 0, length: d).transposed())   // [N, H]
        let right = try features.matmul(w1.narrowed(axis: 1, start: d, length: d).transposed())  // [N, H]
        let hidden = try (left.reshaped([n, 1, h]) + right.reshaped([1, n, h]) + b1).relu()     // [N, N, H]
        return try (hidden.matmul(w2.transposed()) + b2).reshaped([n, n])
    }

    /// HiCo topical consistency: with p = sigmoid(pair logits [N, N]), positives the pairs of clips of the
    /// same video (not a clip with itself), negatives the pairs from different videos,
    /// `-mean_pos((1 - p)^g log p) - mean_neg(p^g log(1 - p))`. `videos[i]` is clip i's video.
    public static func hicoTopical(pairLogits: Tensor, videos: [Int], gamma: Float = 0.5) throws -> Tensor {
        let n = videos.count
        guard pairLogits.shape == [n, n], n >= 2 else {
            throw PretextError.invalidArgument("hicoTopical needs pair logits [N, N] for N = \(n) clips, got \(pairLogits.shape)")
        }
        var positive = [Float](repeating: 0, count: n * n), negative = positive
        for i in 0..<n { for j in 0..<n where i != j { if videos[i] == videos[j] { positive[i * n + j] = 1 } else { negative[i * n + j] = 1 } } }
        let positives = positive.reduce(0, +), negatives = negative.reduce(0, +)
        guard positives > 0, negatives > 0 else {
            throw PretextError.invalidArgument("hicoTopical needs at least two videos with two clips each")
        }
        let p = try pairLogits.sigmoid()
        let q = try (1 - p)
        let positiveTerm = try q.clamp(min: 1e-12).pow(gamma) * p.clamp(min: 1e-12).log()
        let negativeTerm = try p.clamp(min: 1e-12).pow(gamma) * q.clamp(min: 1e-12).log()
        let pos = try (positiveTerm * Tensor(positive, shape: [n, n])).sum() / positives
        let neg = try (negativeTerm * Tensor(negative, shape: [n, n])).sum() / negatives
        return try -(pos + neg)
    }

    /// CMD's dense motion InfoNCE. `predicted` [B, D, L] (the predicted future-motion feature at each of L
    /// positions), `future` [B, D, L] (the true future motion clip's features), `negatives` [B, K, D, L]
    /// (features of K other motion clips per sample). Position l of sample b must pick position l of its
    /// own future clip among every position of every future clip and every negative clip in the batch,
    /// by cosine similarity over `temperature`. Mean over the B x L positions.
    public static func cmdMotion(predicted: Tensor, future: Tensor, negatives: Tensor, temperature: Float = 0.1) throws -> Tensor {
        guard predicted.rank == 3, future.shape == predicted.shape, negatives.rank == 4,
              negatives.shape[0] == predicted.shape[0], Array(negatives.shape[2...]) == Array(predicted.shape[1...]), temperature > 0 else {
            throw PretextError.invalidArgument("cmdMotion needs predicted/future [B, D, L] and negatives [B, K, D, L], got \(predicted.shape), \(future.shape), \(negatives.shape)")
        }
        let b = predicted.shape[0], d = predicted.shape[1], l = predicted.shape[2], k = negatives.shape[1]
        let queries = try Losses.l2Normalized(predicted.permuted([0, 2, 1]).reshaped([b * l, d]))
        let keys = try Tensor.concatenate([
            Losses.l2Normalized(future.permuted([0, 2, 1]).reshaped([b * l, d])),
            Losses.l2Normalized(negatives.permuted([0, 1, 3, 2]).reshaped([b * k * l, d])),
        ], axis: 0)
        let logits = try queries.matmul(keys.transposed()) / temperature
        return try Losses.crossEntropy(logits, Tensor.arange(count: b * l))
    }

    /// CMD's context InfoNCE: the clip's pooled feature [B, D] must pick its own keyframe's feature [B, D]
    /// among the batch's keyframes (cosine similarity over `temperature`).
    public static func cmdContext(clip: Tensor, keyframe: Tensor, temperature: Float = 0.1) throws -> Tensor {
        try Losses.infoNCE(query: clip, key: keyframe, temperature: temperature)
    }
}
