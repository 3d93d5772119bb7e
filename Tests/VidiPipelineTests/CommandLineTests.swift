import Foundation
import VidiFormats
import Testing
import VidiTestSupport
@testable import VidiPipeline

/// `vidi run` as a user runs it: exit statuses, scheduler environments, and a real SIGKILL mid-run
/// followed by `--resume`, which must give exactly the bytes of an uninterrupted run.
@Suite struct CommandLineTests {
    /// The `vidi` built next to this test binary (`swift test` builds every product).
    static var vidi: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("vidi").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return Fixtures.repositoryRoot.appendingPathComponent(".build/debug/vidi").path
    }

    struct Setup {
        let dir: URL
        let spec: String
        let manifest: String
    }

    /// The good fixtures listed `repeats` times, with a spec that decodes every frame once (frame types)
    /// and the keyframes again.
    func setup(repeats: Int, perShard: Int, bad: Bool = false) throws -> Setup {
        let dir = try Fixtures.temporaryDirectory("vidi-cli")
        var names = Array(repeating: MediaStageTests.good, count: repeats).flatMap { $0 }
        if bad { names.insert("bad-random.mp4", at: 1) }
        let manifest = dir.appendingPathComponent("list.txt").path
        try names.map { Fixtures.path("media/\($0)") }.joined(separator: "\n").write(toFile: manifest, atomically: true, encoding: .utf8)
        let spec = dir.appendingPathComponent("spec.yaml").path
        try """
            stages:
              - probe
              - keyframes
              - frame_types
            output: {samples_per_shard: \(perShard)}
            """.write(toFile: spec, atomically: true, encoding: .utf8)
        return Setup(dir: dir, spec: spec, manifest: manifest)
    }

    func vidi(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.vidi)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SLURM_") && $0.key != "JOB_COMPLETION_INDEX" }
            .merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    /// Output files with the stats files' timing fields blanked.
    func comparable(_ output: URL) throws -> [String: Data] {
        var files = try directoryContents(output)
        for (name, data) in files where name.hasSuffix("_stats.json") {
            var stats = try JSONDecoder().decode(ShardStats.self, from: data)
            (stats.seconds, stats.stageSeconds, stats.startedAt, stats.finishedAt) = (0, [:], "", "")
            files[name] = Data(try stats.encoded())
        }
        return files
    }

    @Test func framesThatShareATimestampRunWithAll180Frames() throws {
        // h264-dup-pts.mkv: 180 frames (ffprobe -count_frames), 20 of them sharing a pts with their predecessor.
        let dir = try Fixtures.temporaryDirectory("vidi-cli-dup")
        let manifest = dir.appendingPathComponent("list.txt").path
        try Fixtures.path("media/h264-dup-pts.mkv").write(toFile: manifest, atomically: true, encoding: .utf8)
        let spec = dir.appendingPathComponent("spec.yaml").path
        try "stages: [{frames: {sampler: {every: 1}}}]\noutput: {format: directory}\n".write(toFile: spec, atomically: true, encoding: .utf8)
        let run = try vidi(["run", spec, "--input", manifest, "--output", dir.appendingPathComponent("out").path, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let summary = try JSONDecoder().decode([String: JSONValue].self, from: Data(run.stdout.utf8))
        #expect(summary["succeeded"] == .int(1) && summary["failed"] == .int(0) && summary["damaged"] == .int(0))
        #expect(summary["frames"] == .int(180))
    }

    @Test func exitStatusesAndSchedulerEnvironments() throws {
        let s = try setup(repeats: 1, perShard: 3, bad: true)
        let single = s.dir.appendingPathComponent("single")
        let run = try vidi(["run", s.spec, "--input", s.manifest, "--output", single.path, "--json"])
        #expect(run.status == 1, "a failed video makes the exit status 1: \(run.stderr)")
        let summary = try JSONDecoder().decode([String: JSONValue].self, from: Data(run.stdout.utf8))
        #expect(summary["succeeded"] == .int(11) && summary["failed"] == .int(1) && summary["shards_total"] == .int(4))

        // Python's tarfile + numpy read every sample back (Tools/check_shards.py).
        let check = try runTool("python3", [Fixtures.repositoryRoot.appendingPathComponent("Tools/check_shards.py").path, single.path])
        #expect(check.status == 0, "\(check.stderr)")
        let read = try JSONDecoder().decode([String: JSONValue].self, from: check.stdout)
        guard case .object(let samples)? = read["samples"] else { Issue.record("no samples read back"); return }
        #expect(samples.count == 11)
        for (key, sample) in samples {
            guard case .object(let files) = sample, case .object(let keyframes)? = files["keyframes.npy"],
                  case .string(let types)? = files["frame_types.txt"], case .object(let meta)? = files["json"] else {
                Issue.record("sample \(key) lacks keyframes.npy, frame_types.txt or json"); continue
            }
            #expect(keyframes["dtype"] == .string("uint8"))
            guard case .object(let video)? = meta["video"], case .int(let frameCount)? = video["frame_count"] else {
                Issue.record("sample \(key) has no probe metadata"); continue
            }
            #expect(types.split(separator: "\n").count == frameCount, "one picture type per frame in \(key)")
        }

        // Two Slurm array tasks and one Kubernetes-style index split the same work: same bytes.
        let split = s.dir.appendingPathComponent("split")
        let first = try vidi(["run", s.spec, "--input", s.manifest, "--output", split.path],
                             environment: ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "3"])
        let second = try vidi(["run", s.spec, "--input", s.manifest, "--output", split.path],
                              environment: ["JOB_COMPLETION_INDEX": "0", "VIDI_SHARD_COUNT": "3"])
        let third = try vidi(["run", s.spec, "--input", s.manifest, "--output", split.path, "--shard", "2/3"])
        #expect([first.status, second.status, third.status] == [0, 1, 0], "only shard 0 holds the bad video")
        #expect(try comparable(split) == comparable(single))

        // A spec error: status 2, the file, line, column and key on stderr, nothing written.
        let badSpec = s.dir.appendingPathComponent("bad.yaml").path
        try "stages:\n  - keyframes: {fromat: npy}\n".write(toFile: badSpec, atomically: true, encoding: .utf8)
        let rejected = try vidi(["run", badSpec, "--input", s.manifest, "--output", s.dir.appendingPathComponent("never").path])
        #expect(rejected.status == 2)
        #expect(rejected.stderr.contains("bad.yaml:2:17: 'stages[0].keyframes.fromat': unknown key 'fromat' (did you mean 'format'?)"), "\(rejected.stderr)")
        #expect(!FileManager.default.fileExists(atPath: s.dir.appendingPathComponent("never").path))
    }

    /// Starts `vidi run` into `output` and sends `signal` once `shards` shards are finished.
    /// Polls with a blocking sleep on this thread: an async sleep could wake too late on a cooperative
    /// pool kept busy by other tests, and the run would finish first.
    func interrupt(_ s: Setup, into output: URL, with signal: Int32, afterShards shards: Int) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.vidi)
        process.arguments = ["run", s.spec, "--input", s.manifest, "--output", output.path, "--workers", "2"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, Date() < deadline {
            let done = (try? FileManager.default.contentsOfDirectory(atPath: output.path))?.filter { $0.hasSuffix("_stats.json") }.count ?? 0
            if done >= shards { break }
            usleep(2_000)
        }
        #expect(process.isRunning, "the run ended before it could be interrupted; the test needs a longer manifest")
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        return process
    }

    func finishedShards(_ output: URL) throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: output.path).filter { $0.hasSuffix("_stats.json") }.count
    }

    @Test func interruptedRunsResumeToTheBytesOfAnUninterruptedRun() throws {
        let s = try setup(repeats: 3, perShard: 2)  // 33 videos, 17 shards
        let reference = s.dir.appendingPathComponent("reference")
        let full = try vidi(["run", s.spec, "--input", s.manifest, "--output", reference.path, "--workers", "2"])
        #expect(full.status == 0, "\(full.stderr)")

        // SIGINT: in-flight videos finish, finished shards stay, the partial one leaves no trace, exit 130.
        let stopped = s.dir.appendingPathComponent("sigint")
        let interrupted = try interrupt(s, into: stopped, with: SIGINT, afterShards: 2)
        #expect(interrupted.terminationReason == .exit && interrupted.terminationStatus == 130)
        let left = try FileManager.default.contentsOfDirectory(atPath: stopped.path)
        #expect(!left.contains { $0.hasPrefix(".") }, "temporary files left: \(left)")
        #expect(left.filter { $0.hasSuffix(".tar") }.count == (try finishedShards(stopped)))
        let afterInterrupt = try vidi(["run", s.spec, "--input", s.manifest, "--output", stopped.path, "--resume"])
        #expect(afterInterrupt.status == 0, "\(afterInterrupt.stderr)")
        #expect(try comparable(stopped) == comparable(reference))

        // SIGKILL at an arbitrary instant: no cleanup runs; --resume redoes what was not finished.
        let killed = s.dir.appendingPathComponent("sigkill")
        let process = try interrupt(s, into: killed, with: SIGKILL, afterShards: 3)
        #expect(process.terminationReason == .uncaughtSignal)
        let shardsAfterKill = try finishedShards(killed)
        #expect(shardsAfterKill < 17, "some shards must be left to redo")
        let resumed = try vidi(["run", s.spec, "--input", s.manifest, "--output", killed.path, "--workers", "1", "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("skipped \(shardsAfterKill) finished"), "\(resumed.stdout)")
        #expect(try comparable(killed) == comparable(reference))
    }
}
