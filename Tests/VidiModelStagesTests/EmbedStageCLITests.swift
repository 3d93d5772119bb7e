import Foundation
import Testing
import VidiTestSupport

/// `vidi run` with a model stage and a run-level output, killed with a real SIGKILL mid-run and resumed:
/// the shards, the per-shard parts and the merged `embeddings.npz` equal an uninterrupted run's.
@Suite struct EmbedStageCLITests {
    static var vidi: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("vidi").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return Fixtures.repositoryRoot.appendingPathComponent(".build/debug/vidi").path
    }

    func vidi(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.vidi)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    /// Files other than the stats files' timing fields, which may differ between runs.
    func comparable(_ output: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: output.path)
        while let item = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = output.appendingPathComponent(item).path
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  !URL(fileURLWithPath: item).lastPathComponent.hasPrefix(".") else { continue }
            var data = FileManager.default.contents(atPath: path) ?? Data()
            if item.hasSuffix("_stats.json"), var object = try JSONSerialization.jsonObject(with: data) as? [String: Any] {
                for key in ["seconds", "stage_seconds", "started_at", "finished_at"] { object.removeValue(forKey: key) }
                data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            }
            files[item] = data
        }
        return files
    }

    @Test func sigkilledRunResumesToTheSameRunOutput() throws {
        let dir = try Fixtures.temporaryDirectory("vidi-embed-cli")
        let weights = dir.appendingPathComponent("r18.safetensors").path
        try EmbedStageTests.writeWeights(to: weights)
        let videos = ["h264-closedgop.mp4", "mpeg4-part2.mp4", "vfr.mp4", "odd-321x241.mp4", "vp9.webm", "mjpeg.avi"]
        let list = dir.appendingPathComponent("list.txt").path
        try (0..<4).flatMap { _ in videos }.map { Fixtures.path("media/\($0)") }.joined(separator: "\n")
            .write(toFile: list, atomically: true, encoding: .utf8)
        let spec = dir.appendingPathComponent("spec.yaml").path
        try """
            stages:
              - resize: {shorter_side: 40, crop: [32, 32]}
              - frames: {sampler: {uniform: 4}}
              - embed: {weights: \(weights), batch: 2, collect: embeddings.npz}
            output: {samples_per_shard: 2}
            """.write(toFile: spec, atomically: true, encoding: .utf8)

        let reference = dir.appendingPathComponent("reference")
        let full = try vidi(["run", spec, "--input", list, "--output", reference.path, "--workers", "2"])
        #expect(full.status == 0, "\(full.stderr)")
        #expect(full.stdout.contains("run output: \(reference.path)/embeddings.npz"), "\(full.stdout)")

        // SIGKILL once a few of the 12 shards are finished: no cleanup runs, no run output yet.
        let killed = dir.appendingPathComponent("killed")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.vidi)
        process.arguments = ["run", spec, "--input", list, "--output", killed.path, "--workers", "2"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning, Date() < deadline {
            let done = (try? FileManager.default.contentsOfDirectory(atPath: killed.path))?.filter { $0.hasSuffix("_stats.json") }.count ?? 0
            if done >= 3 { break }
            usleep(2_000)
        }
        #expect(process.isRunning, "the run ended before it could be killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(!FileManager.default.fileExists(atPath: killed.appendingPathComponent("embeddings.npz").path))

        // --merge refuses while shards are missing; --resume finishes and merges.
        let early = try vidi(["run", spec, "--input", list, "--output", killed.path, "--merge"])
        #expect(early.status == 2 && early.stderr.contains("waiting for"), "\(early.stderr)")
        let resumed = try vidi(["run", spec, "--input", list, "--output", killed.path, "--workers", "1", "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try comparable(killed) == comparable(reference))

        // --merge on a finished run rewrites the same bytes.
        try FileManager.default.removeItem(at: killed.appendingPathComponent("embeddings.npz"))
        let merged = try vidi(["run", spec, "--input", list, "--output", killed.path, "--merge"])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(try comparable(killed) == comparable(reference))
    }
}
