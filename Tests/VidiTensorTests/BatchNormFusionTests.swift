import Testing
@testable import VidiTensor
import VidiTestSupport

/// Training-mode batch norm runs as one fused op (`batchNormTraining`); the composed ops it replaces
/// (`batchNormTrainingComposed`: channels as rows, `standardizedRows`, broadcast affine) are the reference
/// here, for the output, the batch statistics and the gradients of input, weight and bias. The PyTorch
/// goldens (`NNNormalizationTests`) and finite differences check the fused op too.
@Suite struct BatchNormFusionTests {
    func compare(_ shape: [Int], affine: Bool, seed: UInt64) throws {
        var generator = RandomGenerator(seed: seed)
        let x = Tensor.normal(shape, mean: 0.5, std: 2, generator: &generator)
        let channels = shape[1]
        let w = Tensor.normal([channels], generator: &generator), b = Tensor.normal([channels], generator: &generator)
        let upstream = Tensor.normal(shape, generator: &generator)
        func run(fused: Bool) throws -> [Tensor] {
            let (xi, wi, bi) = (x.requiresGrad(), w.requiresGrad(), b.requiresGrad())
            let result = fused ? try xi.batchNormTraining(weight: affine ? wi : nil, bias: affine ? bi : nil, epsilon: 1e-5)
                : try xi.batchNormTrainingComposed(weight: affine ? wi : nil, bias: affine ? bi : nil, epsilon: 1e-5)
            try (result.output * upstream).sum().backward()
            let statistics = Tensor(result.mean.map(Float.init) + result.variance.map(Float.init))
            return [result.output, statistics, xi.grad ?? Tensor.zeros([0])] + (affine ? [wi.grad ?? Tensor.zeros([0]), bi.grad ?? Tensor.zeros([0])] : [])
        }
        let fused = try run(fused: true), composed = try run(fused: false)
        for (name, (a, c)) in zip(["output", "statistics", "input grad", "weight grad", "bias grad"], zip(fused, composed)) {
            expectClose(a, c, rtol: 1e-4, atol: 1e-5, "\(shape) \(name)")
        }
        // The forward rounds exactly as the composed ops do.
        #expect(fused[0].scalars == composed[0].scalars, "\(shape) output bits")
    }

    @Test func fusedMatchesComposedOps() throws {
        try compare([3, 4, 5, 6], affine: true, seed: 1)
        try compare([2, 3, 4, 5, 6], affine: true, seed: 2)      // 3-D (VideoResNet)
        try compare([8, 5], affine: true, seed: 3)               // [N, C]
        try compare([3, 4, 7], affine: false, seed: 4)
    }

    @Test func finiteDifferences() throws {
        var generator = RandomGenerator(seed: 9)
        let x = Tensor.uniform([3, 2, 4], low: -1.5, high: 1.5, generator: &generator)
        let w = Tensor.uniform([2], low: 0.5, high: 1.5, generator: &generator), b = Tensor.uniform([2], low: -1, high: 1, generator: &generator)
        try gradCheck([x, w, b]) { try $0[0].batchNormTraining(weight: $0[1], bias: $0[2], epsilon: 1e-5).output }
    }
}
