import Foundation
import Testing
import VidiTestSupport

/// `vidi train classifier` end to end on shards that `vidi run` writes from the media fixtures, labels
/// from a manifest column (copied into each sample's .json).
@Suite(.serialized) struct TrainCLITests {
    /// Six fixture videos -> 4 frames of 24x24 each, 3 samples per shard, a `label` column.
    static func makeShards() throws -> URL {
        let root = try Fixtures.temporaryDirectory("train-cli")
        let spec = """
            name: tiny-frames
            stages:
              - probe
              - resize: {shorter_side: 24, crop: [24, 24]}
              - frames: {sampler: {uniform: 4}}
            output:
              samples_per_shard: 3
            """
        try spec.write(to: root.appendingPathComponent("spec.yaml"), atomically: true, encoding: .utf8)
        let videos = ["h264-closedgop.mp4", "hevc.mp4", "vp9.webm", "mpeg4-part2.mp4", "vfr.mp4", "h264-10bit.mp4"]
        let manifest = "path,label\n" + videos.enumerated().map { "\(VidiCLI.fixture($1)),\($0 % 2)" }.joined(separator: "\n") + "\n"
        try manifest.write(to: root.appendingPathComponent("videos.csv"), atomically: true, encoding: .utf8)
        let run = try VidiCLI.run(["run", root.appendingPathComponent("spec.yaml").path, "--input", root.appendingPathComponent("videos.csv").path,
                                   "--output", root.appendingPathComponent("shards").path])
        #expect(run.status == 0, "vidi run: \(run.stderr)")
        return root
    }

    static func trainArguments(_ root: URL, directory: String, steps: Int) -> [String] {
        ["train", "classifier", "--shards", root.appendingPathComponent("shards").path + "/{00000..00001}.tar",
         "--val-shards", root.appendingPathComponent("shards/00001.tar").path, "--label-field", "label", "--classes", "2",
         "--width", "4", "--batch-size", "2", "--steps", String(steps), "--lr", "0.01", "--warmup", "5", "--clip", "1",
         "--accumulate", "2", "--shuffle-buffer", "4", "--seed", "3", "--checkpoint-dir", directory,
         "--checkpoint-every", "10", "--val-every", "25"]
    }

    static func bytes(_ path: String) -> Data? { try? Data(contentsOf: URL(fileURLWithPath: path)) }

    /// Must-show invariant with a real process: a run SIGKILLed after its step-40 checkpoint and resumed
    /// with --resume ends with the same final checkpoint, weights and logs, byte for byte, as a run that was
    /// never stopped.
    @Test func sigkilledRunResumesToTheSameBytes() throws {
        let root = try Self.makeShards()
        let steps = 150
        let straight = root.appendingPathComponent("straight").path
        let full = try VidiCLI.run(Self.trainArguments(root, directory: straight, steps: steps) + ["--json"])
        #expect(full.status == 0, "\(full.stderr)")
        #expect(full.text.contains("\"steps\":\(steps)"))

        let killed = root.appendingPathComponent("killed").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: VidiCLI.binary)
        process.arguments = Self.trainArguments(root, directory: killed, steps: steps)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let mark = killed + "/step-00000040.safetensors"
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: mark), process.isRunning, Date() < deadline { usleep(2000) }
        let wasRunning = process.isRunning
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(wasRunning, "the run finished before it could be killed; the resume below proves less")
        #expect(!FileManager.default.fileExists(atPath: killed + "/step-\(String(format: "%08d", steps)).safetensors"))

        let resumed = try VidiCLI.run(Self.trainArguments(root, directory: killed, steps: steps) + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resumed from"), "\(resumed.stderr)")
        for name in ["step-\(String(format: "%08d", steps)).safetensors", "classifier.safetensors", "train_log.jsonl", "metrics.jsonl"] {
            let a = Self.bytes(straight + "/" + name), b = Self.bytes(killed + "/" + name)
            #expect(a != nil && a == b, "\(name) differs after kill and resume")
        }
    }

    /// --keep-checkpoints: 0 keeps every step checkpoint of a 30-step run (checkpoint every 10), 1 only the
    /// newest; the default keeps two.
    @Test func keepCheckpointsChoosesWhichStepCheckpointsStay() throws {
        let root = try Self.makeShards()
        func stepFiles(keep: String?) throws -> [String] {
            let directory = root.appendingPathComponent("keep-\(keep ?? "default")").path
            let run = try VidiCLI.run(Self.trainArguments(root, directory: directory, steps: 30) + (keep.map { ["--keep-checkpoints", $0] } ?? []))
            #expect(run.status == 0, "\(run.stderr)")
            return try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("step-") }.sorted()
        }
        let name = { (step: Int) in "step-\(String(format: "%08d", step)).safetensors" }
        #expect(try stepFiles(keep: "0") == [name(10), name(20), name(30)])
        #expect(try stepFiles(keep: "1") == [name(30)])
        #expect(try stepFiles(keep: nil) == [name(20), name(30)])
        let negative = try VidiCLI.run(Self.trainArguments(root, directory: root.appendingPathComponent("bad").path, steps: 30) + ["--keep-checkpoints=-1"])
        #expect(negative.status != 0 && negative.stderr.contains("--keep-checkpoints"), "\(negative.stderr)")
    }

    @Test func helpDocumentsTheClassifierAndBadInputIsAnError() throws {
        let help = try VidiCLI.run(["train", "classifier", "--help"])
        #expect(help.text.contains(".cls") && help.text.contains("--label-field") && help.text.contains("--resume"))
        let group = try VidiCLI.run(["train", "--help"])
        #expect(group.text.contains("classifier"))
        let missing = try VidiCLI.run(["train", "classifier", "--shards", "/nonexistent/{0..1}.tar", "--classes", "2"])
        #expect(missing.status == 2, "\(missing.stderr)")
        #expect(missing.stderr.contains("no samples"))
    }
}
