import Testing
import VidiNN
import VidiTensor
import VidiTestSupport

/// PyTorch's default initialisations, checked by their defining bounds and moments (the draws differ from
/// PyTorch's generator by design; golden tests load PyTorch's weights instead).
@Suite struct InitializationTests {
    private func moments(_ t: Tensor) -> (mean: Double, std: Double, maxAbs: Float) {
        let v = t.scalars
        let mean = v.reduce(0.0) { $0 + Double($1) } / Double(v.count)
        let variance = v.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(v.count)
        return (mean, variance.squareRoot(), v.map(Swift.abs).max() ?? 0)
    }

    @Test func linearAndConvUseKaimingUniformWithFanInBound() {
        var generator = RandomGenerator(seed: 1)
        let linear = Linear(400, 300, generator: &generator)
        let bound = 1 / Float(400).squareRoot()
        let w = moments(linear.weight.value)
        #expect(w.maxAbs <= bound)
        #expect(Swift.abs(w.std - Double(bound) / 3.0.squareRoot()) < 0.02 * Double(bound))  // U(-b, b): std b/√3
        #expect(moments(linear.bias?.value ?? Tensor.zeros([1])).maxAbs <= bound)
        let conv = Conv2d(16, 32, kernelSize: [3], generator: &generator)
        #expect(moments(conv.weight.value).maxAbs <= 1 / Float(16 * 9).squareRoot())
    }

    @Test func resnetConvolutionsUseKaimingNormalFanOut() {
        var generator = RandomGenerator(seed: 2)
        let model = ResNet(.init(.resnet18, widths: [16, 32, 64, 128], classes: 10), generator: &generator)
        let w = moments(model.conv1.weight.value)
        let expected = (2.0 / Double(16 * 49)).squareRoot()
        #expect(Swift.abs(w.mean) < 0.1 * expected)
        #expect(Swift.abs(w.std - expected) < 0.05 * expected, "std \(w.std) vs \(expected)")
        #expect(model.bn1.weight?.value.scalars.allSatisfy { $0 == 1 } == true)
    }

    @Test func multiheadAttentionUsesXavierAndZeroBiases() {
        var generator = RandomGenerator(seed: 3)
        let mha = MultiheadAttention(embedDim: 32, heads: 4, generator: &generator)
        #expect(moments(mha.inProjWeight.value).maxAbs <= (6 / Float(96 + 32)).squareRoot())
        #expect(mha.inProjBias?.value.scalars.allSatisfy { $0 == 0 } == true)
        #expect(mha.outProj.bias?.value.scalars.allSatisfy { $0 == 0 } == true)
        #expect(mha.parameters.allSatisfy { $0.requiresGrad })
    }
}
