import Foundation
import Testing
import VidiFormats
import VidiTensor
import VidiTestSupport
@testable import VidiRetrieval

/// DRL's `seqTransf` aggregation against DRL's own code: `DRL.agg_video_feat` with module_cross's
/// `Transformer` (2 layers, width 64) on seeded random weights, by `Tools/goldens/make_drl_seqtransf_golden.py`
/// (PyTorch, foolwood/DRL checkout). The second video has 2 padded frames, masked with −10⁶ as DRL does.
@Suite struct SeqTransfGoldenTests {
    @Test func aggregationMatchesDRLsOwnCode() throws {
        let dir = try Fixtures.temporaryDirectory("vidi-seqtransf")
        defer { try? FileManager.default.removeItem(at: dir) }
        let prefix = "retrieval/drl_seqtransf_"
        var names = ["frame_position_embeddings.weight"]
        for layer in 0..<2 {
            for part in ["attn.in_proj_weight", "attn.in_proj_bias", "attn.out_proj.weight", "attn.out_proj.bias", "ln_1.weight", "ln_1.bias",
                         "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias"] {
                names.append("transformerClip.resblocks.\(layer).\(part)")
            }
        }
        var weights: [String: Tensor] = [:]
        for name in names { weights[name] = try Golden.tensor(prefix + name.replacingOccurrences(of: ".", with: "_")) }
        let path = dir.appendingPathComponent("seqtransf.safetensors").path
        try Safetensors.write(weights, to: path)
        let model = try DRLModel.load(path: path)
        #expect(model.configuration.temporalLayers == 2 && model.configuration.framePositions == 77)
        model.eval()

        let video = try TokenFeatures(Golden.tensor(prefix + "video"), mask: Golden.tensor(prefix + "video_mask"), name: "golden video")
        let got = try withNoGrad { try model.aggregate(video) }.features.contiguous().scalars
        let want = try Golden.tensor(prefix + "out").scalars
        #expect(got.count == want.count && want.count == 2 * 5 * 64)
        let worst = zip(got, want).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? .infinity
        #expect(worst <= 1e-4, "largest relative difference \(worst)")
    }
}
