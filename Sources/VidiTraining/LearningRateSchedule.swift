import Foundation
import VidiTensor

/// Learning rate per optimizer step: an optional linear warm-up, then constant, step decay, or cosine
/// decay. The cosine case is VidiTensor's `CosineWarmupSchedule` (PyTorch's LinearLR + CosineAnnealingLR);
/// step decay is PyTorch's `StepLR` (`base · gamma^⌊t / stepSize⌋`) counted after the warm-up.
public struct LearningRateSchedule: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case constant
        /// Multiply by `gamma` every `every` steps.
        case step(every: Int, gamma: Float)
        /// Cosine from the base rate to `minimum` at `totalSteps`.
        case cosine(totalSteps: Int, minimum: Float)
    }

    public var base: Float
    public var kind: Kind
    public var warmupSteps: Int
    /// The warm-up starts at `base · warmupStartFactor`.
    public var warmupStartFactor: Float

    public init(base: Float, kind: Kind = .constant, warmupSteps: Int = 0, warmupStartFactor: Float = 0) throws(TrainingError) {
        guard base >= 0, base.isFinite, warmupSteps >= 0, (0...1).contains(warmupStartFactor) else {
            throw .invalidOption("learning rate \(base) must be finite and >= 0, warm-up \(warmupSteps) >= 0, start factor in [0, 1]")
        }
        switch kind {
        case .constant: break
        case .step(let every, let gamma):
            guard every >= 1, gamma > 0 else { throw .invalidOption("step schedule needs a period >= 1 and gamma > 0") }
        case .cosine(let total, let minimum):
            guard total >= warmupSteps, minimum >= 0 else {
                throw .invalidOption("cosine schedule needs total steps (\(total)) >= warm-up (\(warmupSteps)) and a minimum >= 0")
            }
        }
        self.base = base
        self.kind = kind
        self.warmupSteps = warmupSteps
        self.warmupStartFactor = warmupStartFactor
    }

    /// The rate for optimizer step `step` (0-based).
    public func learningRate(at step: Int) -> Float {
        if case .cosine(let total, let minimum) = kind,
           let cosine = try? CosineWarmupSchedule(baseLearningRate: base, warmupSteps: warmupSteps, totalSteps: total,
                                                  warmupStartFactor: warmupStartFactor, minimumLearningRate: minimum) {
            return cosine.learningRate(at: step)
        }
        if step < warmupSteps {
            let start = Double(warmupStartFactor)
            return Float(Double(base) * (start + (1 - start) * Double(max(step, 0)) / Double(warmupSteps)))
        }
        switch kind {
        case .constant, .cosine: return base
        case .step(let every, let gamma):
            return Float(Double(base) * Foundation.pow(Double(gamma), Double((step - warmupSteps) / every)))
        }
    }

    /// Parses a command-line name: `constant`, `step` (with `every`/`gamma`), `cosine` (with `totalSteps`).
    public static func named(_ name: String, base: Float, warmupSteps: Int, totalSteps: Int, stepEvery: Int?,
                             gamma: Float, minimum: Float = 0) throws(TrainingError) -> LearningRateSchedule {
        switch name.lowercased() {
        case "constant": return try LearningRateSchedule(base: base, kind: .constant, warmupSteps: warmupSteps)
        case "step":
            return try LearningRateSchedule(base: base, kind: .step(every: stepEvery ?? max(1, totalSteps / 3), gamma: gamma),
                                            warmupSteps: warmupSteps)
        case "cosine":
            return try LearningRateSchedule(base: base, kind: .cosine(totalSteps: totalSteps, minimum: minimum), warmupSteps: warmupSteps)
        default:
            throw .invalidOption("unknown schedule '\(name)' (constant, step, cosine)")
        }
    }
}
