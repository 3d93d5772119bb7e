// The linear classifier of a linear probe, fitted on features extracted once from the frozen encoder:
// each dimension is standardised with the training split's mean and standard deviation (the usual
// protocol; without it, a random encoder's unnormalised feature scale decides how fast the probe learns
// rather than what the features hold), then a softmax regression is fitted on the whole training split
// at once (full-batch AdamW), so the result does not depend on a minibatch order or an early stop.
import VidiNN
import VidiTensor

public final class ProbeClassifier {
    public let fc: Linear
    /// Per-dimension training mean and 1 / std ([C] each); set by `fit`.
    public private(set) var mean: Tensor
    public private(set) var inverseStd: Tensor

    public init(features: Int, classes: Int, generator: inout RandomGenerator) throws {
        guard features >= 1, classes >= 2 else {
            throw PretextError.invalidArgument("a probe needs >= 1 feature and >= 2 classes, got \(features) and \(classes)")
        }
        fc = Linear(features, classes, generator: &generator)
        mean = Tensor.zeros([features])
        inverseStd = Tensor.ones([features])
    }

    /// Standardises with `features`' statistics, then minimises the cross-entropy over all of them for
    /// `steps` full-batch AdamW steps; returns the last training loss.
    @discardableResult
    public func fit(features: Tensor, labels: Tensor, steps: Int, learningRate: Float, weightDecay: Float) throws -> Float {
        try check(features, labels)
        guard features.shape[0] >= 2, steps >= 1 else {
            throw PretextError.invalidArgument("fitting a probe needs >= 2 samples and >= 1 step, got \(features.shape[0]) and \(steps)")
        }
        mean = try features.mean(axis: 0)
        // A constant dimension (a dead ReLU channel) carries nothing: its scale is left at 1.
        let std = try features.std(axis: 0, unbiased: false).toArray(Float.self)
        inverseStd = try Tensor(std.map { $0 > 1e-6 ? 1 / $0 : 1 }, shape: [std.count])
        let x = try standardised(features), targets = try labels.to(.int64)
        let optimizer = try AdamW(fc.parameters, learningRate: learningRate, weightDecay: weightDecay)
        var last: Float = .nan
        for _ in 0..<steps {
            optimizer.zeroGrad()
            let loss = try Losses.crossEntropy(fc(x), targets)
            try loss.backward()
            try optimizer.step()
            last = try loss.item()
        }
        return last
    }

    /// Logits [N, classes] of raw features [N, C].
    public func callAsFunction(_ features: Tensor) throws -> Tensor {
        try withNoGrad { try fc(standardised(features)) }
    }

    /// Fraction of `features` whose arg-max logit is their label.
    public func accuracy(features: Tensor, labels: Tensor) throws -> Double {
        try check(features, labels)
        let predicted = try self(features).argmax(axis: 1).toArray(Int64.self)
        let truth = try labels.to(.int64).toArray(Int64.self)
        return Double(zip(predicted, truth).filter { $0 == $1 }.count) / Double(max(truth.count, 1))
    }

    private func standardised(_ features: Tensor) throws -> Tensor {
        try (features - mean) * inverseStd
    }

    private func check(_ features: Tensor, _ labels: Tensor) throws {
        guard features.rank == 2, features.shape[1] == fc.inFeatures, labels.shape == [features.shape[0]] else {
            throw PretextError.invalidArgument("probe needs features [N, \(fc.inFeatures)] and labels [N], got \(features.shape) and \(labels.shape)")
        }
        let classes = Int64(fc.outFeatures)
        if let bad = try labels.to(.int64).toArray(Int64.self).first(where: { !(0..<classes).contains($0) }) {
            throw PretextError.invalidArgument("label \(bad) is outside 0 ..< \(classes)")
        }
    }
}
