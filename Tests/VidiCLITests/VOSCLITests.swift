import Foundation
import Testing
import VidiTestSupport

/// `vidi synth vos`, `vidi train vos`, `vidi segment`, `vidi eval davis` end to end on a tiny synthetic set.
/// Expected values are invariants: ground truth evaluated against itself scores J&F 1 (DAVIS rules), the
/// segmenter writes one PNG per frame named by display index, weights without LCM refuse --lcm.
@Suite("vidi segment / eval davis / synth vos / train vos")
struct VOSCLITests {
    @Test func synthTrainSegmentEvaluate() throws {
        let root = try Fixtures.temporaryDirectory("vos-cli").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = "\(root)/data", results = "\(root)/results", weights = "\(root)/w.safetensors"
        var run = try VidiCLI.run(["synth", "vos", "--out", data, "--sequences", "1", "--frames", "5", "--size", "64x48",
                                   "--objects", "2", "--seed", "3"])
        #expect(run.status == 0, "\(run.stderr)")
        run = try VidiCLI.run(["train", "vos", "--steps", "1", "--size", "32x32", "--sequences", "2", "--clip-frames", "3",
                               "--val-sequences", "1", "--val-frames", "4", "--checkpoint-dir", "\(root)/run", "--out", weights])
        #expect(String(decoding: run.stdout, as: UTF8.self).contains("held-out J&F") && FileManager.default.fileExists(atPath: "\(root)/run/metrics.jsonl"))
        #expect(run.status == 0, "\(run.stderr)")
        let sequence = "synth-3-000"
        let mask = "\(data)/Annotations/480p/\(sequence)/00000.png"
        run = try VidiCLI.run(["segment", "\(data)/videos/\(sequence).mp4", "--mask", mask, "--out", "\(results)/\(sequence)",
                               "--weights", weights, "--memory", "grow"])
        #expect(run.status == 0, "\(run.stderr)")
        let written = try FileManager.default.contentsOfDirectory(atPath: "\(results)/\(sequence)").sorted()
        #expect(written == ["00000.png", "00001.png", "00002.png", "00003.png", "00004.png"])

        run = try VidiCLI.run(["eval", "davis", "--davis-path", data, "--results-path", results, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: run.stdout) as? [String: Any])
        let global = try #require(json["global"] as? [String: Any])
        #expect(Set(global.keys) == ["J&F-Mean", "J-Mean", "J-Recall", "J-Decay", "F-Mean", "F-Recall", "F-Decay"])

        run = try VidiCLI.run(["eval", "davis", "--davis-path", data, "--results-path", "\(data)/Annotations/480p", "--json"])
        let perfect = try #require(try JSONSerialization.jsonObject(with: run.stdout) as? [String: Any])
        #expect((perfect["global"] as? [String: Any])?["J&F-Mean"] as? Double == 1)

        run = try VidiCLI.run(["segment", "\(data)/videos/\(sequence).mp4", "--mask", mask, "--out", "\(root)/x",
                               "--weights", weights, "--lcm"])
        #expect(run.status == 1 && run.stderr.contains("LCM"))
    }
}
