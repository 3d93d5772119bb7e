import Testing
import VidiNN
import VidiTensor
import VidiTestSupport

/// Backbones against PyTorch re-creations of torchvision's ResNet / VideoResNet and CLIP's
/// VisionTransformer (same key names, reduced widths so the fixtures stay small), eval mode, weights by
/// strict state-dict load. Float32 with a different summation order: rtol 1e-4 / atol 1e-5 (observed max error ≈ 6e-7).
@Suite struct BackboneGoldenTests {
    var generator = RandomGenerator(seed: 9)

    @Test mutating func resnet18MatchesWithEveryStageFeature() throws {
        let golden = GoldenCase("resnet18_w8")
        let model = ResNet(.init(.resnet18, widths: [8, 16, 32, 64], classes: 10), generator: &generator)
        try golden.load(into: model)
        model.eval()
        let x = try golden.tensor("x")
        let features = try withNoGrad { try model.features(x) }
        for (index, feature) in features.enumerated() {
            expectClose(feature, try golden.tensor("layer\(index + 1)"), rtol: 1e-4, atol: 1e-5, "layer\(index + 1)")
        }
        expectClose(try withNoGrad { try model(x) }, try golden.tensor("out"), rtol: 1e-4, atol: 1e-5, "logits")
    }

    @Test mutating func resnet18TrainingModeForwardBackwardAndRunningStatistics() throws {
        let model = ResNet(.init(.resnet18, widths: [8, 16, 32, 64], classes: 10), generator: &generator)
        try GoldenCase("resnet18_w8").load(into: model)
        let golden = GoldenCase("resnet18_w8_train")
        let x = try golden.tensor("x").requiresGrad()
        let out = try model(x)
        expectClose(out, try golden.tensor("out"), rtol: 1e-4, atol: 1e-5, "training-mode logits")
        try golden.backward(out)
        expectClose(x.grad ?? Tensor.zeros([0]), try golden.tensor("grad_x"), rtol: 1e-3, atol: 1e-5, "input gradient")
        // Weight gradients sum thousands of terms that BatchNorm's mean subtraction makes cancel, so the
        // absolute tolerance scales with the gradient's largest element (1e-5 of it; observed ≈ 9e-6).
        for key in ["conv1.weight", "fc.weight", "layer3.0.downsample.0.weight"] {
            let expected = try golden.tensor("grad_" + key.replacingOccurrences(of: ".", with: "_"))
            let scale = try expected.abs().max().item()
            try golden.expectGradient(model, key, rtol: 1e-3, atol: 1e-5 * scale)
        }
        expectClose(model.bn1.runningMean.value, try golden.tensor("after_bn1_running_mean"), rtol: 1e-4, atol: 1e-6)
        let bn = try #require(model.namedBuffers().first { $0.name == "layer4.1.bn2.running_var" }?.buffer)
        expectClose(bn.value, try golden.tensor("after_layer4_1_bn2_running_var"), rtol: 1e-4, atol: 1e-6)
    }

    @Test mutating func truncatedResNetLoadsTheFullCheckpointNonStrictly() throws {
        let golden = GoldenCase("resnet18_w8")
        let model = ResNet(.init(.resnet18, widths: [8, 16, 32, 64], classes: nil, stages: 2), generator: &generator)
        #expect(throws: StateDictError.self) { try golden.load(into: model) }   // strict: layer3, layer4, fc unexpected
        let skipped = try model.loadStateDict(path: Fixtures.path("golden/nn/resnet18_w8.safetensors"), strict: false)
        #expect(skipped.missing.isEmpty)
        #expect(skipped.unexpected.contains("layer3.0.conv1.weight") && skipped.unexpected.contains("fc.bias"))
        #expect(!model.namedParameters().contains { $0.name.hasPrefix("layer3") || $0.name.hasPrefix("fc") })
        model.eval()
        let out = try withNoGrad { try model(golden.tensor("x")) }
        expectClose(out, try golden.tensor("layer2"), rtol: 1e-4, atol: 1e-5, "truncated after layer2")
        #expect(model.outputChannels == 16)
    }

    @Test mutating func resnet50WithExtraInputChannel() throws {
        let golden = GoldenCase("resnet50_w4_in4")
        let model = ResNet(.init(.resnet50, widths: [4, 8, 16, 32], inputChannels: 4, classes: 6), generator: &generator)
        try golden.load(into: model)
        model.eval()
        expectClose(try withNoGrad { try model(golden.tensor("x")) }, try golden.tensor("out"), rtol: 1e-4, atol: 1e-5)
        #expect(throws: TensorError.self) { try model(Tensor.zeros([1, 3, 32, 32])) }
    }

    @Test func widenedInputWeightZeroPadsNewChannels() throws {
        var generator = RandomGenerator(seed: 1)
        let rgb = Tensor.normal([2, 3, 7, 7], generator: &generator)
        let wide = try ResNet.widenedInputWeight(rgb, channels: 4)
        #expect(wide.shape == [2, 4, 7, 7])
        expectClose(try wide.narrowed(axis: 1, start: 0, length: 3), rgb, rtol: 0, atol: 0)
        #expect(try wide.narrowed(axis: 1, start: 3, length: 1).abs().sum().item() == 0)
    }

    @Test mutating func torchvisionKeyNames() throws {
        let model = ResNet(.init(.resnet50, widths: [4, 8, 16, 32]), generator: &generator)
        let keys = Set(model.stateDict().keys)
        for key in ["conv1.weight", "bn1.running_var", "bn1.num_batches_tracked", "layer1.0.downsample.0.weight",
                    "layer1.0.downsample.1.bias", "layer3.5.conv3.weight", "layer4.2.bn3.running_mean", "fc.weight"] {
            #expect(keys.contains(key), "missing \(key)")
        }
        #expect(keys.count == 320)  // torchvision resnet50().state_dict() has 320 entries
    }

    @Test mutating func videoResNets() throws {
        let r3d = VideoResNet(.init(.r3d18, widths: [4, 8, 16, 32], classes: 5), generator: &generator)
        let r21 = VideoResNet(.init(.r2plus1d18, widths: [4, 8, 16, 32], stemMidChannels: 6, classes: 5), generator: &generator)
        for (name, model) in [("r3d18_w4", r3d), ("r2plus1d18_w4", r21)] {
            let golden = GoldenCase(name)
            try golden.load(into: model)
            model.eval()
            expectClose(try withNoGrad { try model(golden.tensor("x")) }, try golden.tensor("out"), rtol: 1e-4, atol: 1e-5, name)
        }
        #expect(r21.stateDict().keys.contains("layer2.0.conv1.0.3.weight"))  // temporal conv of the (2+1)D pair
    }

    @Test mutating func clipVisionTransformer() throws {
        let golden = GoldenCase("clip_vit_w16")
        let model = CLIPVisionTransformer(inputResolution: 16, patchSize: 4, width: 16, layers: 2, heads: 2, outputDim: 8,
                                          generator: &generator)
        try golden.load(into: model)
        model.eval()
        expectClose(try withNoGrad { try model(golden.tensor("x")) }, try golden.tensor("out"), rtol: 1e-4, atol: 1e-5)
        #expect(throws: TensorError.self) { try model(Tensor.zeros([1, 3, 32, 32])) }
    }
}
