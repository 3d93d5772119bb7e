import Foundation
import Testing
import VidiRetrieval
import VidiTensor
import VidiTestSupport

/// `vidi eval retrieval` on the NumPy goldens of `Tools/goldens/make_retrieval_goldens.py`.
struct RetrievalCLITests {
    static func g(_ name: String) throws -> Tensor { try Golden.tensor("retrieval/\(name)") }

    @Test func evalFromFeaturesSavesTheReferenceSimilarity() throws {
        let dir = try Fixtures.temporaryDirectory("vidi-eval")
        defer { try? FileManager.default.removeItem(at: dir) }
        var weights: [String: Tensor] = [:]
        for side in ["text", "video"] {
            for key in ["0.weight", "0.bias", "2.weight", "2.bias"] {
                weights["\(side)_weight_fc.\(key)"] = try Self.g("train_\(side)_weight_fc_\(key.replacingOccurrences(of: ".", with: "_"))")
            }
        }
        let w = dir.appendingPathComponent("w.safetensors").path
        try Safetensors.write(weights, to: w)
        func path(_ name: String) -> String { dir.appendingPathComponent(name + ".npy").path }
        for name in ["text", "text_mask", "video", "video_mask"] { try Self.g("train_\(name)").writeNPY(to: path(name)) }
        for interaction in ["wti", "ti"] {
            let output = try VidiCLI.run(["eval", "retrieval", "--text-features", path("text"), "--text-mask", path("text_mask"),
                                          "--video-features", path("video"), "--video-mask", path("video_mask"),
                                          "--weights", w, "--interaction", interaction, "--save-sim", path("sim"), "--json"])
            #expect(output.status == 0, "\(output.stderr)")
            expectClose(try Tensor.readNPY(path: path("sim")), try Self.g("train_\(interaction)"), rtol: 1e-5, atol: 1e-6, interaction)
            let object = try JSONSerialization.jsonObject(with: output.stdout) as? [String: [String: Double]]
            #expect(Set(object?["t2v"]?.keys.map { $0 } ?? []) == ["R@1", "R@5", "R@10", "MdR", "MnR"])
            #expect(object?["v2t"] != nil)
        }
    }

    /// Expected: DRL's `compute_metrics` in NumPy on the same matrix.
    @Test func evalFromMatrixPrintsDRLMetrics() throws {
        let output = try VidiCLI.run(["eval", "retrieval", "--sim", Golden.path("retrieval/metrics_sim"), "--json"])
        #expect(output.status == 0)
        let object = try JSONSerialization.jsonObject(with: output.stdout) as? [String: [String: Double]]
        let t2v = try Self.g("metrics_t2v").scalars
        #expect(abs((object?["t2v"]?["R@1"] ?? -1) - Double(t2v[0])) < 1e-4)
        #expect(abs((object?["t2v"]?["MnR"] ?? -1) - Double(t2v[4])) < 1e-4)
    }

    @Test func badInputFailsWithAMessage() throws {
        let output = try VidiCLI.run(["eval", "retrieval", "--sim", Golden.path("retrieval/basic_wti")])
        #expect(output.status == 1)
        #expect(output.stderr.contains("square"))
    }
}

/// `vidi tokenize --json`; expected ids from OpenAI's `clip.tokenize` (the tokenizer goldens).
struct TokenizeCLITests {
    @Test func printsOneJSONArrayPerText() throws {
        let output = try VidiCLI.run(["tokenize", "--json", "a red square moves to the left", "cafÃ© &amp; ﬁsh 😀"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.text == "[49406,320,736,3999,6880,531,518,1823,49407]\n[49406,15304,261,2759,7334,49407]\n")
    }

    @Test func missingVocabularyFails() throws {
        let output = try VidiCLI.run(["tokenize", "--vocab", "/nonexistent.gz", "x"])
        #expect(output.status == 1)
        #expect(output.stderr.contains("vocabulary"))
    }
}

/// `vidi encode` composes Pillow-exact preprocessing (preprocess goldens) with OpenAI's encode_image
/// (CLIP goldens): its output must equal the model applied to the preprocessing golden.
struct EncodeCLITests {
    @Test func imageEmbeddingsMatchTheGoldenPipeline() throws {
        let dir = try Fixtures.temporaryDirectory("vidi-encode")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("i.npy").path
        let weights = Fixtures.path("golden/retrieval/clip_p8.safetensors")
        let output = try VidiCLI.run(["encode", "--weights", weights, "--image", Fixtures.path("golden/retrieval/preprocess_input.png"), "--out", out])
        #expect(output.status == 0, "\(output.stderr)")
        let features = try Tensor.readNPY(path: out)
        let model = try CLIPModel.load(path: weights)
        let expected = try model.encodeImage(Golden.tensor("retrieval/preprocess_32").unsqueezed(axis: 0))
        expectClose(features, expected, rtol: 1e-5, atol: 1e-6, "vidi encode --image")
        let video = dir.appendingPathComponent("v.npy").path
        let v = try VidiCLI.run(["encode", "--weights", weights, "--video", VidiCLI.fixture("h264-closedgop.mp4"), "--frames", "12", "--out", video])
        #expect(v.status == 0, "\(v.stderr)")
        #expect(try Tensor.readNPY(path: video).shape == [2, 32])     // 50 frames at 25 fps: 2 frames at 1 fps
        let bad = try VidiCLI.run(["encode", "--weights", weights, "--text", "hi", "--out", out])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("vocabulary"))
    }
}
