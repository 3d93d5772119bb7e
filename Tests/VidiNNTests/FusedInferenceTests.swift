import Testing
import VidiNN
import VidiTensor
import VidiTestSupport

/// Inference under `withNoGrad` fuses each BatchNorm with the ReLU and residual add after it into one
/// pass (`channelAffine`). With autograd recording, the same eval-mode model runs the separate ops
/// (`x · s + t`, `+ residual`, `relu`). The two must agree bit for bit; the PyTorch goldens
/// (BackboneGoldenTests) check the fused path's values against torchvision's architecture.
@Suite struct FusedInferenceTests {
    var generator = RandomGenerator(seed: 88)

    /// Running statistics and affine weights away from their init, so BatchNorm is not the identity.
    private mutating func randomizeNorms(_ model: Module) {
        for (_, module) in model.namedModules() {
            guard let norm = module as? BatchNormBase else { continue }
            let c = norm.features
            norm.runningMean.value = Tensor.uniform([c], low: -0.5, high: 0.5, generator: &generator)
            norm.runningVar.value = Tensor.uniform([c], low: 0.5, high: 2, generator: &generator)
            norm.weight?.value = Tensor.uniform([c], low: 0.5, high: 1.5, generator: &generator).requiresGrad()
            norm.bias?.value = Tensor.uniform([c], low: -0.5, high: 0.5, generator: &generator).requiresGrad()
        }
    }

    private func expectFusedEqualsUnfused(_ model: Module & Layer, _ input: Tensor) throws {
        model.eval()
        let fused = try withNoGrad { try model(input) }
        let unfused = try model(input)                       // parameters require grad: the separate ops run
        #expect(unfused.requiresGrad, "the reference must take the unfused, recording path")
        #expect(fused.shape == unfused.shape)
        #expect(fused.scalars == unfused.detached().scalars)
    }

    @Test mutating func resNetBasicAndBottleneckBlocks() throws {
        for variant in [ResNet.Variant.resnet18, .resnet50] {
            let model = ResNet(.init(variant, widths: [8, 8, 16, 16], classes: 10), generator: &generator)
            randomizeNorms(model)
            try expectFusedEqualsUnfused(model, Tensor.uniform([2, 3, 48, 48], low: -1, high: 1, generator: &generator))
        }
    }

    @Test mutating func videoResNetSequentialsWithResidual() throws {
        for variant in [VideoResNet.Variant.r2plus1d18, .r3d18] {
            let model = VideoResNet(.init(variant, widths: [8, 8, 16, 16], stemMidChannels: 6, classes: 5), generator: &generator)
            randomizeNorms(model)
            try expectFusedEqualsUnfused(model, Tensor.uniform([1, 3, 8, 32, 32], low: -1, high: 1, generator: &generator))
        }
    }

    @Test mutating func trainingModeIsUnchangedByTheFusedCall() throws {
        let norm = BatchNorm2d(4)
        let x = Tensor.uniform([3, 4, 5, 5], low: -1, high: 1, generator: &generator)
        let r = Tensor.uniform([3, 4, 5, 5], low: -1, high: 1, generator: &generator)
        let fusedCall = try norm(x, adding: r, relu: true)
        let reference = BatchNorm2d(4)
        let separate = try (reference(x) + r).relu()
        #expect(fusedCall.scalars == separate.scalars)
        #expect(norm.runningMean.value.scalars == reference.runningMean.value.scalars, "running statistics still move")
    }
}
