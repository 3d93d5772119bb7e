import Testing
import VidiNN
import VidiTensor
import VidiTestSupport

/// Losses against `torch.nn.functional` (and torchvision's focal-loss formula written out in the
/// generator); rtol 1e-5, atol 1e-6.
@Suite struct LossGoldenTests {
    private func g(_ name: String) throws -> Tensor { try Golden.tensor("nn/loss_\(name)") }

    private func expectLoss(_ actual: Tensor, _ name: String) throws {
        expectClose(actual, try g(name), rtol: 1e-5, atol: 1e-6, name)
    }

    @Test func crossEntropyVariants() throws {
        let logits = try g("logits"), target = try g("target"), weight = try g("class_weight")
        let ignoring = try g("target_ignore")
        try expectLoss(Losses.crossEntropy(logits, target), "ce_mean")
        try expectLoss(Losses.crossEntropy(logits, target, reduction: .sum), "ce_sum")
        try expectLoss(Losses.crossEntropy(logits, target, reduction: .none), "ce_none")
        try expectLoss(Losses.crossEntropy(logits, target, labelSmoothing: 0.1), "ce_smooth")
        try expectLoss(Losses.crossEntropy(logits, target, weight: weight), "ce_weighted")
        try expectLoss(Losses.crossEntropy(logits, ignoring), "ce_ignore")
        try expectLoss(Losses.crossEntropy(logits, ignoring, weight: weight, labelSmoothing: 0.2), "ce_all")
        try expectLoss(Losses.crossEntropy(g("seg_logits"), g("seg_target")), "ce_spatial")
    }

    @Test func crossEntropyGradientWithEverythingOn() throws {
        let logits = try g("logits").requiresGrad()
        try Losses.crossEntropy(logits, g("target_ignore"), weight: g("class_weight"), labelSmoothing: 0.2).backward()
        expectClose(logits.grad ?? Tensor.zeros([0]), try g("ce_all_grad"), rtol: 1e-5, atol: 1e-6)
    }

    @Test func crossEntropyRejectsBadTargets() throws {
        let logits = try g("logits")
        #expect(throws: TensorError.self) { try Losses.crossEntropy(logits, Tensor([Int64(0), 4, 1, 2, 3], shape: [5])) }
        #expect(throws: TensorError.self) { try Losses.crossEntropy(logits, Tensor.zeros([4], dtype: .int64)) }
        #expect(throws: TensorError.self) { try Losses.crossEntropy(logits, Tensor.zeros([5])) }
    }

    @Test func binaryLosses() throws {
        let x = try g("x"), y = try g("y")
        try expectLoss(Losses.binaryCrossEntropyWithLogits(x, y), "bce")
        try expectLoss(Losses.binaryCrossEntropyWithLogits(x, y, positiveWeight: g("pos_weight")), "bce_pos_weight")
        try expectLoss(Losses.sigmoidFocalLoss(x, g("y_hard"), reduction: .mean), "focal")
    }

    @Test func regressionAndDivergenceLosses() throws {
        let x = try g("x"), y = try g("y")
        try expectLoss(Losses.klDivergence(g("log_q"), g("p")), "kl_batchmean")
        try expectLoss(Losses.mse(x, y), "mse")
        try expectLoss(Losses.smoothL1(x, y * 3, beta: 0.5), "smooth_l1")
    }

    @Test func infoNCE() throws {
        try expectLoss(Losses.infoNCE(query: g("q"), key: g("k")), "infonce")
        try expectLoss(Losses.infoNCE(query: g("q"), key: g("k"), symmetric: true), "infonce_symmetric")
    }

    @Test func lossGradientsMatchFiniteDifferences() throws {
        var generator = RandomGenerator(seed: 11)
        let x = Tensor.normal([3, 4], generator: &generator), y = Tensor.uniform([3, 4], generator: &generator)
        try gradCheck([x]) { try Losses.binaryCrossEntropyWithLogits($0[0], y) }
        try gradCheck([x]) { try Losses.sigmoidFocalLoss($0[0], y.gt(0.5).to(.float32), reduction: .sum) }
        try gradCheck([x]) { try Losses.smoothL1($0[0], y, beta: 0.5) }
        try gradCheck([x, y]) { try Losses.infoNCE(query: $0[0], key: $0[1], temperature: 0.5) }
    }
}
