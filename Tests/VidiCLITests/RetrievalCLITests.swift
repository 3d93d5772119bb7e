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

    /// Five captions of three videos (the hand-ranked matrix of `MultiCaptionMetricsTests`), the map given
    /// as an .npy, a JSON array and MSR-VTT JSON.
    @Test func evalWithATextVideoMapRanksEveryCaption() throws {
        let dir = try Fixtures.temporaryDirectory("vidi-eval-map")
        defer { try? FileManager.default.removeItem(at: dir) }
        let sim = dir.appendingPathComponent("sim.npy").path
        try Tensor([0.9, 0.1, 0.2, 0.3, 0.5, 0.4, 0.2, 0.6, 0.7, 0.1, 0.2, 0.8, 0.5, 0.9, 0.3], shape: [5, 3]).writeNPY(to: sim)
        let npy = dir.appendingPathComponent("map.npy").path, json = dir.appendingPathComponent("map.json").path
        let msrvtt = dir.appendingPathComponent("captions.json").path
        try Tensor([0, 0, 1, 2, 2], shape: [5]).writeNPY(to: npy)
        try Data("[0, 0, 1, 2, 2]".utf8).write(to: URL(fileURLWithPath: json))
        try Data(#"{"videos": [{"video_id": "a"}, {"video_id": "b"}, {"video_id": "c"}], "sentences": [{"video_id": "a", "caption": "1"}, {"video_id": "c", "caption": "4"}, {"video_id": "a", "caption": "2"}, {"video_id": "b", "caption": "3"}, {"video_id": "c", "caption": "5"}]}"#.utf8)
            .write(to: URL(fileURLWithPath: msrvtt))
        for map in [npy, json, msrvtt] {
            let output = try VidiCLI.run(["eval", "retrieval", "--sim", sim, "--text-video-map", map, "--json"])
            #expect(output.status == 0, "\(output.stderr)")
            let object = try JSONSerialization.jsonObject(with: output.stdout) as? [String: [String: Double]]
            #expect(object?["t2v"]?["R@1"] == 40 && object?["t2v"]?["MdR"] == 2 && object?["t2v"]?["MnR"] == 2)
            #expect(abs((object?["v2t"]?["R@1"] ?? 0) - 200.0 / 3) < 1e-9 && object?["v2t"]?["MdR"] == 1)
        }
        let help = try VidiCLI.run(["eval", "retrieval", "--help"])
        #expect(help.text.contains("max over its sentences"))
        try Data("[0, 0, 1, 1, 1]".utf8).write(to: URL(fileURLWithPath: json))
        let lonely = try VidiCLI.run(["eval", "retrieval", "--sim", sim, "--text-video-map", json])
        #expect(lonely.status == 1 && lonely.stderr.contains("video 2 has no caption"))
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

/// Index, search and training through the CLI with the bundled small model (trained on synthetic clips by
/// `Tools/retrieval/train-small-model.sh`) on clips generated here with a seed it never saw.
struct IndexSearchCLITests {
    @Test func buildSearchAddAndExport() throws {
        let dir = try Fixtures.temporaryDirectory("vidi-search")
        defer { try? FileManager.default.removeItem(at: dir) }
        let clips = dir.appendingPathComponent("clips").path, index = dir.appendingPathComponent("c.vidx").path
        #expect(try VidiCLI.run(["synth-clips", "--out", clips, "--count", "6", "--seed", "11"]).status == 0)
        let build = try VidiCLI.run(["index", "build", "--input", clips, "--out", index, "--storage", "float16"])
        #expect(build.status == 0, "\(build.stderr)")
        let info = try VidiCLI.run(["index", "info", index, "--json"])
        let object = try JSONSerialization.jsonObject(with: info.stdout) as? [String: Any]
        #expect(object?["videos"] as? Int == 6 && object?["frame_slots"] as? Int == 12 && object?["storage"] as? String == "float16")

        let captions = try CaptionedVideos(path: clips + "/captions.json")
        var right = 0
        for id in captions.videoIds {
            let caption = captions.captions[id]![0]
            let exact = try VidiCLI.run(["search", "--index", index, caption, "--top", "6", "--json"])
            #expect(exact.status == 0, "\(exact.stderr)")
            let hits = exact.text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(hits.map { $0["rank"] as? Int } == [1, 2, 3, 4, 5, 6])
            let scores = hits.compactMap { $0["score"] as? Double }
            #expect(scores == scores.sorted(by: >))
            if (hits.first?["id"] as? String)?.hasSuffix("\(id).mp4") == true { right += 1 }
            let twoStage = try VidiCLI.run(["search", "--index", index, caption, "--top", "6", "--json", "--mode", "two-stage", "--candidates", "6"])
            #expect(twoStage.text == exact.text)
        }
        #expect(right >= 5, "the bundled model found \(right) of 6 clips from their captions")

        let video = try VidiCLI.run(["search", "--index", index, "--video", clips + "/clip00002.mp4", "--top", "1", "--json"])
        #expect(video.text.contains("clip00002.mp4"), "video-to-video: \(video.text)")

        let more = dir.appendingPathComponent("more").path
        #expect(try VidiCLI.run(["synth-clips", "--out", more, "--count", "2", "--seed", "12"]).status == 0)
        #expect(try VidiCLI.run(["index", "add", "--index", index, "--input", more]).status == 0)
        #expect(try RetrievalIndex(path: index).count == 8)

        let export = dir.appendingPathComponent("export").path
        #expect(try VidiCLI.run(["index", "export", index, "--out", export, "--frames"]).status == 0)
        #expect(try Tensor.readNPY(path: export + "/pooled.npy").shape == [8, 64])
        #expect(try Tensor.readNPY(path: export + "/frames.npy").shape == [8, 12, 64])
        #expect(try VidiCLI.run(["index", "export", index, "--out", export, "--format", "parquet"]).status == 0)
        let parquet = try [UInt8](Data(contentsOf: URL(fileURLWithPath: export + "/pooled.parquet")))
        #expect(Array(parquet.prefix(4)) == Array("PAR1".utf8) && Array(parquet.suffix(4)) == Array("PAR1".utf8))
        // The external-engine recipe: the query's pooled vector against the exported pooled rows picks the
        // candidate two-stage search picks first.
        let q = dir.appendingPathComponent("q.npy").path
        #expect(try VidiCLI.run(["search", "--index", index, "a red square moves up", "--query-vector", q]).status == 0)
        let query = try Tensor.readNPY(path: q).scalars, pooled = try Tensor.readNPY(path: export + "/pooled.npy").scalars
        #expect(query.count == 64 && abs(query.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
        let dots = (0..<8).map { r in (0..<64).reduce(Float(0)) { $0 + query[$1] * pooled[r * 64 + $1] } }
        let best = dots.indices.max { dots[$0] < dots[$1] }!
        let first = try VidiCLI.run(["search", "--index", index, "a red square moves up", "--mode", "two-stage", "--candidates", "1", "--top", "1", "--json"])
        #expect(first.text.contains("\"video\":\(best)"), "\(first.text) vs row \(best)")
        let grownInfo = try VidiCLI.run(["index", "info", index, "--json"])
        #expect(grownInfo.text.contains("\"segments\":2") && grownInfo.text.contains("\"version\":2"), "\(grownInfo.text)")
        let candidates = dir.appendingPathComponent("cands.txt").path
        try Data("3\n\(try RetrievalIndex(path: index).metadata.ids[1])\n".utf8).write(to: URL(fileURLWithPath: candidates))
        let reranked = try VidiCLI.run(["search", "--index", index, "a red square moves up", "--candidates-from", candidates, "--json"])
        #expect(reranked.status == 0, "\(reranked.stderr)")
        #expect(reranked.text.split(separator: "\n").count == 2)
    }

    @Test func missingOrCorruptIndexFails() throws {
        let output = try VidiCLI.run(["search", "--index", "/nonexistent.vidx", "x"])
        #expect(output.status == 1)
        #expect(output.stderr.contains("cannot open"))
    }
}
