import Foundation

/// Learning rate with linear warm-up then cosine decay, per step (or epoch):
/// for `t < warmupSteps`: `base · (startFactor + (1 − startFactor) · t / warmupSteps)`;
/// for `warmupSteps ≤ t ≤ totalSteps`: `minimum + (base − minimum) · (1 + cos(π (t − warmupSteps) / (totalSteps − warmupSteps))) / 2`;
/// after `totalSteps`: `minimum`. Equal to PyTorch's `SequentialLR([LinearLR(start_factor, total_iters=warmup),
/// CosineAnnealingLR(T_max=total − warmup, eta_min=minimum)], milestones=[warmup])` up to `totalSteps`
/// (PyTorch's cosine would rise again after it; this one stays at the minimum). `startFactor` 0 gives
/// the warm-up from zero of HuggingFace's `get_cosine_schedule_with_warmup`.
public struct CosineWarmupSchedule: Sendable, Equatable {
    public var baseLearningRate: Float
    public var warmupSteps: Int
    public var totalSteps: Int
    public var warmupStartFactor: Float
    public var minimumLearningRate: Float

    public init(baseLearningRate: Float, warmupSteps: Int, totalSteps: Int, warmupStartFactor: Float = 0,
                minimumLearningRate: Float = 0) throws {
        guard warmupSteps >= 0, totalSteps >= warmupSteps, (0...1).contains(warmupStartFactor), baseLearningRate >= 0,
              minimumLearningRate >= 0 else {
            throw TensorError.invalidArgument(op: "CosineWarmupSchedule", reason: "need 0 <= warmup (\(warmupSteps)) <= total (\(totalSteps)), start factor in [0, 1] (\(warmupStartFactor)) and non-negative rates")
        }
        self.baseLearningRate = baseLearningRate
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.warmupStartFactor = warmupStartFactor
        self.minimumLearningRate = minimumLearningRate
    }

    /// The learning rate for step `step` (0-based).
    public func learningRate(at step: Int) -> Float {
        let base = Double(baseLearningRate), minimum = Double(minimumLearningRate)
        if step < warmupSteps {
            let start = Double(warmupStartFactor)
            return Float(base * (start + (1 - start) * Double(Swift.max(step, 0)) / Double(warmupSteps)))
        }
        guard step < totalSteps else { return totalSteps == warmupSteps ? baseLearningRate : minimumLearningRate }
        let progress = Double(step - warmupSteps) / Double(totalSteps - warmupSteps)
        return Float(minimum + (base - minimum) * (1 + Foundation.cos(Double.pi * progress)) / 2)
    }

    /// Sets `optimizer`'s learning rate for `step`.
    public func apply(to optimizer: any Optimizer, step: Int) {
        optimizer.learningRate = learningRate(at: step)
    }
}
