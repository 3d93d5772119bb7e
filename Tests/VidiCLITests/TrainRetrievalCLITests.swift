import Foundation
import Testing
import VidiFormats
import VidiRetrieval
import VidiTensor
import VidiTestSupport

/// `vidi pack retrieval` + `vidi train retrieval` on the shared training runtime: synthetic captioned clips
/// packed into shards, a tiny CLIP trained end to end with validation R@K, and SIGKILL + `--resume`.
@Suite(.serialized) struct TrainRetrievalCLITests {
    /// 24 synthetic clips -> 4 frames of 32 px each; the last 8 are the validation split.
    static func makeShards() throws -> URL {
        let root = try Fixtures.temporaryDirectory("train-retrieval")
        let clips = root.appendingPathComponent("clips").path
        #expect(try VidiCLI.run(["synth-clips", "--out", clips, "--count", "24", "--seed", "5"]).status == 0)
        let pack = try VidiCLI.run(["pack", "retrieval", "--annotations", clips + "/captions.json", "--videos", clips, "--frames", "4",
                                    "--resolution", "32", "--validation", "8", "--per-shard", "8", "--out", root.appendingPathComponent("shards").path])
        #expect(pack.status == 0, "vidi pack retrieval: \(pack.stderr)")
        #expect(pack.text.contains("training: 16 sample(s) in 2 shard(s)"))
        return root
    }

    static func trainArguments(_ root: URL, directory: String, steps: Int) -> [String] {
        let shards = root.appendingPathComponent("shards").path
        return ["train", "retrieval", "--shards", shards + "/training-{000000..000001}.tar", "--val-shards", shards + "/validation-000000.tar",
                "--batch-size", "8", "--steps", String(steps), "--lr", "0.002", "--warmup", "3", "--clip", "1", "--cdcr-lambda", "0",
                "--shuffle-buffer", "16", "--seed", "7", "--width", "64", "--layers", "1", "--resolution", "32", "--patch", "8",
                "--checkpoint-dir", directory, "--checkpoint-every", "5", "--val-every", "10", "--threads", "1"]
    }

    static func lossLog(_ directory: String) throws -> [Double] {
        let text = try String(contentsOfFile: directory + "/train_log.jsonl", encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["loss"] as? Double
        }
    }

    static func bytes(_ path: String) -> Data? { try? Data(contentsOf: URL(fileURLWithPath: path)) }

    /// A real short run lowers the loss (chance is ln 8 for batches of 8) and logs validation R@K; a run
    /// SIGKILLed after its step-5 checkpoint and resumed ends with the same checkpoint, model and logs,
    /// byte for byte, as the uninterrupted run.
    @Test func trainingLowersTheLossAndResumesToTheSameBytes() throws {
        let root = try Self.makeShards()
        defer { try? FileManager.default.removeItem(at: root) }
        let steps = 20
        let straight = root.appendingPathComponent("straight").path
        let full = try VidiCLI.run(Self.trainArguments(root, directory: straight, steps: steps) + ["--json"])
        #expect(full.status == 0, "\(full.stderr)")
        let summary = try JSONSerialization.jsonObject(with: full.stdout) as? [String: Any]
        #expect(summary?["steps"] as? Int == steps)
        let recall = summary?["validation_t2v_R@10"] as? Double
        #expect(recall != nil && (0...100).contains(recall!), "validation R@10 missing: \(full.text)")
        let losses = try Self.lossLog(straight)
        #expect(losses.count == steps)
        let early = losses.prefix(4).reduce(0, +) / 4, late = losses.suffix(4).reduce(0, +) / 4
        #expect(late < early - 0.1, "loss did not fall: first steps \(early), last steps \(late)")
        let metrics = try String(contentsOfFile: straight + "/metrics.jsonl", encoding: .utf8)
        #expect(metrics.contains("\"t2v_R@1\"") && metrics.contains("\"v2t_MnR\""))
        let model = try DRLModel.load(path: straight + "/retrieval.safetensors")
        #expect(model.configuration.weightBranchLayers == 2 && model.configuration.temporalLayers == 1)

        let killed = root.appendingPathComponent("killed").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: VidiCLI.binary)
        process.arguments = Self.trainArguments(root, directory: killed, steps: steps)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let mark = killed + "/step-00000005.safetensors"
        let deadline = Date().addingTimeInterval(300)
        while !FileManager.default.fileExists(atPath: mark), process.isRunning, Date() < deadline { usleep(2000) }
        let wasRunning = process.isRunning
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(wasRunning, "the run finished before it could be killed; the resume below proves less")

        let resumed = try VidiCLI.run(Self.trainArguments(root, directory: killed, steps: steps) + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resumed from"), "\(resumed.stderr)")
        for name in ["step-\(String(format: "%08d", steps)).safetensors", "retrieval.safetensors", "train_log.jsonl", "metrics.jsonl"] {
            let a = Self.bytes(straight + "/" + name), b = Self.bytes(killed + "/" + name)
            #expect(a != nil && a == b, "\(name) differs after kill and resume")
        }
    }

    /// Feature pairs (DRL's golden training features) packed and trained: only the head, DRL key names kept.
    @Test func trainsTheHeadFromPackedFeatures() throws {
        let dir = try Fixtures.temporaryDirectory("vidi-train-features")
        defer { try? FileManager.default.removeItem(at: dir) }
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        for name in ["text", "text_mask", "video", "video_mask"] { try Golden.tensor("retrieval/train_\(name)").writeNPY(to: path(name + ".npy")) }
        var weights: [String: Tensor] = [:]
        for side in ["text", "video"] {
            for key in ["0.weight", "0.bias", "2.weight", "2.bias"] {
                weights["\(side)_weight_fc.\(key)"] = try Golden.tensor("retrieval/train_\(side)_weight_fc_\(key.replacingOccurrences(of: ".", with: "_"))")
            }
        }
        try Safetensors.write(weights, to: path("init.safetensors"))
        let pack = try VidiCLI.run(["pack", "retrieval", "--text-features", path("text.npy"), "--text-mask", path("text_mask.npy"),
                                    "--video-features", path("video.npy"), "--video-mask", path("video_mask.npy"), "--out", path("shards")])
        #expect(pack.status == 0, "\(pack.stderr)")
        let output = try VidiCLI.run(["train", "retrieval", "--shards", path("shards/training-000000.tar"), "--val-shards", path("shards/training-000000.tar"),
                                      "--initial", path("init.safetensors"), "--steps", "3", "--batch-size", "4", "--out", path("out.safetensors"), "--json"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.text.contains("validation_t2v_R@1"))
        let trained = try DRLModel.load(path: path("out.safetensors"))
        #expect(trained.configuration.weightBranchLayers == 2)
        #expect(try Safetensors.read(path: path("out.safetensors"))["text_weight_fc.0.weight"]!.scalars != weights["text_weight_fc.0.weight"]!.scalars)
    }

    @Test func badInputIsAClearError() throws {
        let help = try VidiCLI.run(["train", "retrieval", "--help"])
        #expect(help.text.contains("vidi pack retrieval") && help.text.contains("--resume") && help.text.contains("frames.npy"))
        let dir = try Fixtures.temporaryDirectory("vidi-train-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        // A shard of something else (a classifier's sample) is named as the wrong kind.
        let shard = dir.appendingPathComponent("x.tar").path
        try DurableFile.write(to: shard) { file in
            let bytes = Array("3".utf8)
            try file.write(TarWriter.header(name: "000000.cls", size: bytes.count))
            try file.write(bytes)
            try file.write(zeros: TarWriter.padding(after: bytes.count) + 2 * TarWriter.blockSize)
        }
        let wrong = try VidiCLI.run(["train", "retrieval", "--shards", shard, "--out", dir.appendingPathComponent("m.safetensors").path])
        #expect(wrong.status == 2, "\(wrong.stderr)")
        #expect(wrong.stderr.contains("vidi pack retrieval"))
        let noVideos = try VidiCLI.run(["pack", "retrieval", "--annotations", "/nonexistent.json", "--out", dir.path])
        #expect(noVideos.status != 0 && noVideos.stderr.contains("--annotations and --videos go together"), "\(noVideos.stderr)")
    }
}
