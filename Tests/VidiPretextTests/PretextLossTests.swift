import Testing
import VidiPretext
import VidiTensor
import VidiTestSupport

/// Each loss against the numpy reference written by Tools/goldens/make_pretext_loss_goldens.py from
/// reference/pretext.md's definitions, on seeded random inputs (float64 reference, rtol 1e-4).
@Suite struct PretextLossTests {
    private func g(_ name: String) throws -> Tensor { try Golden.tensor("pretext/loss_\(name)") }

    private func expectLoss(_ actual: Tensor, _ name: String) throws {
        expectClose(actual, try g(name), rtol: 1e-4, atol: 1e-5, name)
    }

    @Test func mosiCrossEntropy() throws {
        try expectLoss(PretextLosses.mosi(logits: g("mosi_logits"), labels: g("mosi_labels")), "mosi")
    }

    @Test func hicoVisualInfoNCE() throws {
        try expectLoss(PretextLosses.hicoVisual(projections: g("hico_projections")), "hico_visual")
    }

    /// HiCoModel's reversed clips enter the visual loss as extra keys every anchor must reject.
    @Test func hicoVisualWithExtraNegatives() throws {
        try expectLoss(PretextLosses.hicoVisual(projections: g("hico_extra_projections"), extraNegatives: g("hico_extra_negatives")),
                       "hico_visual_extra")
        #expect(throws: PretextError.self) {
            _ = try PretextLosses.hicoVisual(projections: self.g("hico_extra_projections"), extraNegatives: Tensor.zeros([4, 8]))
        }
    }

    @Test func hicoPairHeadAndTopicalFocalBCE() throws {
        let logits = try PretextLosses.hicoPairLogits(features: g("hico_features"), w1: g("hico_w1"), b1: g("hico_b1"),
                                                      w2: g("hico_w2"), b2: g("hico_b2"))
        expectClose(logits, try g("hico_pair_logits"), rtol: 1e-4, atol: 1e-5, "pair logits")
        let videos = (0..<12).map { $0 / 3 }
        try expectLoss(PretextLosses.hicoTopical(pairLogits: logits, videos: videos), "hico_topical")
    }

    @Test func cmdDenseMotionInfoNCE() throws {
        try expectLoss(PretextLosses.cmdMotion(predicted: g("cmd_predicted"), future: g("cmd_future"), negatives: g("cmd_negatives")), "cmd_motion")
    }

    @Test func cmdContextInfoNCE() throws {
        try expectLoss(PretextLosses.cmdContext(clip: g("cmd_clip"), keyframe: g("cmd_keyframe")), "cmd_context")
    }

    /// Gradients reach the inputs (the losses train): finite and not all zero.
    @Test func lossesAreDifferentiable() throws {
        let projections = try g("hico_projections").requiresGrad()
        try PretextLosses.hicoVisual(projections: projections).backward()
        let grad = try #require(projections.grad).toArray(Float.self)
        #expect(grad.allSatisfy(\.isFinite) && grad.contains { $0 != 0 })
        let logits = try g("hico_pair_logits").requiresGrad()
        try PretextLosses.hicoTopical(pairLogits: logits, videos: (0..<12).map { $0 / 3 }).backward()
        #expect(try #require(logits.grad).toArray(Float.self).allSatisfy(\.isFinite))
    }

    @Test func badShapesAreErrors() throws {
        #expect(throws: PretextError.self) { _ = try PretextLosses.hicoVisual(projections: Tensor.zeros([4, 1, 8])) }
        #expect(throws: PretextError.self) { _ = try PretextLosses.hicoTopical(pairLogits: Tensor.zeros([3, 3]), videos: [0, 1, 2]) }
        #expect(throws: PretextError.self) { _ = try PretextLosses.cmdMotion(predicted: Tensor.zeros([2, 4, 5]), future: Tensor.zeros([2, 4, 5]), negatives: Tensor.zeros([2, 3, 4, 6])) }
    }
}
