import Testing
import VidiTensor
@testable import VidiSegmentation

/// `ScaledGroupOptimizer` (the LCM learning-rate multiplier of `vidi train vos --lcm-lr-scale`), checked
/// against VidiTensor's AdamW, whose update is itself tested against PyTorch's.
@Suite struct ScaledGroupOptimizerTests {
    static func parameters() throws -> [Parameter] {
        [Parameter(Tensor([0.5, -1, 2])), Parameter(try Tensor([1, 2, 3, 4], shape: [2, 2])), Parameter(Tensor([-0.25]))]
    }

    /// Deterministic gradients that change from step to step.
    static func setGradients(_ parameters: [Parameter], step: Int) throws {
        for (i, p) in parameters.enumerated() {
            let n = p.value.elementCount
            let gradient = try Tensor((0..<n).map { Float(($0 + 1) * (i + 2)) * (step % 2 == 0 ? 0.3 : -0.7) + Float(step) * 0.01 }, shape: p.shape)
            p.zeroGrad()
            try (p.value * gradient).sum().backward()  // d/dp = gradient
        }
    }

    static func bits(_ tensors: [String: Tensor]) -> [String: [UInt32]] {
        tensors.mapValues { t in t.dtype == .float32 ? t.scalars.map(\.bitPattern) : [UInt32(truncatingIfNeeded: (try? t.item(Int64.self)) ?? -1)] }
    }

    /// Scale 1 is a plain AdamW over the same list: the same values and the same state keys, bit for bit.
    @Test func scaleOneIsPlainAdamW() throws {
        let (a, b) = (try Self.parameters(), try Self.parameters())
        let plain = try AdamW(a, learningRate: 0.01, weightDecay: 0.1)
        let grouped = try ScaledGroupOptimizer(b, inScaledGroup: { $0 == 1 }, scale: 1, learningRate: 0.01, weightDecay: 0.1)
        for step in 0..<3 {
            try Self.setGradients(a, step: step)
            try Self.setGradients(b, step: step)
            try plain.step()
            try grouped.step()
        }
        for (x, y) in zip(a, b) { #expect(x.value.scalars.map(\.bitPattern) == y.value.scalars.map(\.bitPattern)) }
        #expect(Self.bits(plain.stateTensors) == Self.bits(grouped.stateTensors))
    }

    /// Adam's first step moves every element by about lr (m / sqrt(v) = sign of the gradient): the scaled
    /// group moves `scale` times as far, the rest as far as plain AdamW; a schedule keeps the proportion.
    @Test func scaledGroupMovesScaleTimesAsFar() throws {
        let parameters = try Self.parameters()
        let before = parameters.map(\.value.scalars)
        let optimizer = try ScaledGroupOptimizer(parameters, inScaledGroup: { $0 == 1 }, scale: 10, learningRate: 1e-3, weightDecay: 0)
        optimizer.learningRate = 2e-3  // as a schedule sets it
        try Self.setGradients(parameters, step: 0)
        try optimizer.step()
        for (i, p) in parameters.enumerated() {
            let expected: Float = i == 1 ? 2e-2 : 2e-3
            for (x, y) in zip(before[i], p.value.scalars) { #expect(abs(abs(x - y) - expected) < expected * 1e-3) }
        }
        #expect(optimizer.learningRate == 2e-3)
    }

    /// Saved state restored into a fresh optimizer continues exactly as the original does.
    @Test func stateRoundTripsThroughCheckpointKeys() throws {
        let a = try Self.parameters()
        let first = try ScaledGroupOptimizer(a, inScaledGroup: { $0 != 0 }, scale: 4, learningRate: 0.01, weightDecay: 0)
        try Self.setGradients(a, step: 0)
        try first.step()
        let b = a.map { Parameter($0.value) }
        let second = try ScaledGroupOptimizer(b, inScaledGroup: { $0 != 0 }, scale: 4, learningRate: 0.01, weightDecay: 0)
        try second.loadState(first.stateTensors)
        #expect(Set(first.stateTensors.keys) == ["0.exp_avg", "0.exp_avg_sq", "0.step", "1.exp_avg", "1.exp_avg_sq", "1.step",
                                                  "2.exp_avg", "2.exp_avg_sq", "2.step"])
        try Self.setGradients(a, step: 1)
        try Self.setGradients(b, step: 1)
        try first.step()
        try second.step()
        for (x, y) in zip(a, b) { #expect(x.value.scalars.map(\.bitPattern) == y.value.scalars.map(\.bitPattern)) }
    }

    @Test func badScaleAndStrayStateAreErrors() throws {
        #expect(throws: TensorError.self) {
            try ScaledGroupOptimizer(try Self.parameters(), inScaledGroup: { _ in true }, scale: 0, learningRate: 0.01, weightDecay: 0)
        }
        let optimizer = try ScaledGroupOptimizer(try Self.parameters(), inScaledGroup: { _ in false }, scale: 2, learningRate: 0.01, weightDecay: 0)
        #expect(throws: TensorError.self) { try optimizer.loadState(["7.exp_avg": Tensor([1])]) }
    }
}
