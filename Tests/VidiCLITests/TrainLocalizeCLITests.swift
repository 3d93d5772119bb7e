import Foundation
import Testing
import VidiTestSupport

/// `vidi pack localization` + `vidi train localize` on the shared training runtime, on a tiny seeded
/// synthetic set (`vidi synth localization`, 12 training and 6 held-out videos, 8 channels).
@Suite(.serialized) struct TrainLocalizeCLITests {
    static func makeShards() throws -> URL {
        let root = try Fixtures.temporaryDirectory("train-localize-cli")
        let synth = root.appendingPathComponent("synth").path
        let made = try VidiCLI.run(["synth", "localization", "--out", synth, "--train", "12", "--validation", "6", "--channels", "8", "--seed", "3"])
        #expect(made.status == 0, "\(made.stderr)")
        let packed = try VidiCLI.run(["pack", "localization", "--features", synth + "/features", "--gt", synth + "/annotations.json",
                                      "--grid", "16", "--per-shard", "6", "--out", root.appendingPathComponent("shards").path])
        #expect(packed.status == 0, "\(packed.stderr)")
        #expect(packed.text.contains("training: 12 videos in 2 shard(s)") && packed.text.contains("validation: 6 videos in 1 shard(s)"), "\(packed.text)")
        return root
    }

    static func trainArguments(_ root: URL, directory: String) -> [String] {
        let shards = root.appendingPathComponent("shards").path
        return ["train", "localize", "--shards", shards + "/training-{000000..000001}.tar", "--val-shards", shards + "/validation-000000.tar",
                "--head", "rcl", "--refine", "1", "--queries", "8", "--batch-size", "4", "--steps", "8", "--lr", "0.003",
                "--warmup", "2", "--shuffle-buffer", "12", "--seed", "5", "--threads", "1", "--decode-threads", "1",
                "--checkpoint-dir", directory, "--checkpoint-every", "4", "--val-every", "4", "--out", directory + "/rcl.safetensors"]
    }

    static func bytes(_ path: String) -> Data? { try? Data(contentsOf: URL(fileURLWithPath: path)) }

    /// Bit-identical resume: a second run given only the uninterrupted run's step-4 checkpoint (what a run
    /// stopped after step 4 leaves; `TrainCLITests` shows a SIGKILLed classifier run leaves the same) and
    /// its logs, continued with --resume, ends with the same step-8 checkpoint (model, Adam moments, step,
    /// reader position, generator), the same localizer file and the same logs, byte for byte. The
    /// reference is the uninterrupted run itself.
    @Test func resumedRunEqualsUninterruptedRun() throws {
        let root = try Self.makeShards()
        let straight = root.appendingPathComponent("straight").path
        let full = try VidiCLI.run(Self.trainArguments(root, directory: straight))
        #expect(full.status == 0, "\(full.stderr)")
        #expect(full.text.contains("trained rcl head: 8 step(s) on 32 video(s)"), "\(full.text)")

        let stopped = root.appendingPathComponent("stopped").path
        try FileManager.default.createDirectory(atPath: stopped, withIntermediateDirectories: true)
        for name in ["step-00000004.safetensors", "train_log.jsonl", "metrics.jsonl"] {
            try FileManager.default.copyItem(atPath: straight + "/" + name, toPath: stopped + "/" + name)
        }
        let resumed = try VidiCLI.run(Self.trainArguments(root, directory: stopped) + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resumed from"), "\(resumed.stderr)")
        for name in ["step-00000008.safetensors", "rcl.safetensors", "train_log.jsonl", "metrics.jsonl"] {
            let a = Self.bytes(straight + "/" + name), b = Self.bytes(stopped + "/" + name)
            #expect(a != nil && a == b, "\(name) differs after resume")
        }
    }

    /// Validation runs the localizer over the whole held-out split and scores it with the exact
    /// evaluator: metrics.jsonl holds mAP and mAP@0.5 at steps 4 and 8. The step-8 mAP must equal what
    /// `vidi localize` + `vidi eval detection` (the evaluator checked against ActivityNet's official code
    /// in EvalCLITests) give for the saved model on the same videos, to 1e-9.
    @Test func validationLogsExactDetectionMAP() throws {
        let root = try Self.makeShards()
        let directory = root.appendingPathComponent("run").path
        let run = try VidiCLI.run(Self.trainArguments(root, directory: directory))
        #expect(run.status == 0, "\(run.stderr)")
        let lines = try String(contentsOfFile: directory + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        let records = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(records.map { $0["step"] as? Int } == [4, 8])
        for record in records { #expect(record["mAP"] is Double && record["mAP@0.5"] is Double && record["loss"] is Double, "\(record)") }
        let logged = try #require(records.last?["mAP"] as? Double)

        let synth = root.appendingPathComponent("synth").path, predictions = root.appendingPathComponent("pred.json").path
        let localized = try VidiCLI.run(["localize", "--model", directory + "/rcl.safetensors", "--features", synth + "/features",
                                         "--gt", synth + "/annotations.json", "--out", predictions])
        #expect(localized.status == 0, "\(localized.stderr)")
        let eval = try VidiCLI.run(["eval", "detection", "--gt", synth + "/annotations.json", "--pred", predictions, "--tiou", "0.3:0.1:0.7", "--json"])
        let object = try JSONSerialization.jsonObject(with: eval.stdout) as? [String: Any]
        let reference = try #require(object?["average_mAP"] as? Double)
        #expect(abs(logged - reference) < 1e-9, "logged \(logged), vidi eval detection \(reference)")
    }

    @Test func badShardsAreAClearError() throws {
        let root = try Fixtures.temporaryDirectory("train-localize-bad")
        let out = try VidiCLI.run(["train", "localize", "--shards", root.path + "/missing-{0..1}.tar", "--steps", "1", "--out", root.path + "/m.safetensors"])
        #expect(out.status != 0)
        #expect(out.stderr.contains("missing-0.tar"), "\(out.stderr)")
    }

    /// The query mixture options (RCL.md, "Query mixture") are checked before any shard is read.
    @Test func negativeUniformQueriesAreAClearError() throws {
        let root = try Fixtures.temporaryDirectory("train-localize-uniform")
        let out = try VidiCLI.run(["train", "localize", "--shards", root.path + "/missing-{0..1}.tar", "--uniform-queries", "-1",
                                   "--steps", "1", "--out", root.path + "/m.safetensors"])
        #expect(out.status != 0)
        #expect(out.stderr.contains("--uniform-queries"), "\(out.stderr)")
    }
}
