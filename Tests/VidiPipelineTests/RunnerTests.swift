import Foundation
import VidiFormats
import Testing
import VidiTestSupport
@testable import VidiPipeline

/// The runner's guarantees, with decoder-free test stages: sharded and parallel runs give byte-identical
/// output, crashes at any step resume to the same bytes, failures are listed and never lost.
@Suite struct RunnerTests {
    static let yaml = """
        stages:
          - file_head: {fail_marker: "-fail"}
        output:
          samples_per_shard: 5
        """

    struct Setup {
        let manifest: Manifest
        let spec: PipelineSpec
        let videos: [String]
    }

    /// 23 files, two of which fail: 5 shards, the last one short.
    func setup(yaml: String = yaml, count: Int = 23, failing: Set<Int> = [4, 17]) throws -> Setup {
        let dir = try Fixtures.temporaryDirectory("vidi-videos")
        let videos = try makeFakeVideos(in: dir, count: count, failing: failing)
        let listPath = dir.appendingPathComponent("list.txt").path
        // Relative paths: the metadata must not depend on where the test's temporary folder is.
        try videos.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: "\n")
            .write(toFile: listPath, atomically: true, encoding: .utf8)
        return Setup(manifest: try Manifest.load(path: listPath),
                     spec: try PipelineSpec.parse(yaml: yaml, catalog: .testing), videos: videos)
    }

    func run(_ setup: Setup, into output: URL, workers: Int = 2, selection: ShardSelection = .all, resume: Bool = false,
             overwrite: Bool = false, configure: (inout RunOptions) -> Void = { _ in }) async throws -> RunSummary {
        var options = RunOptions(workers: workers)
        options.selection = selection
        options.resume = resume
        options.overwrite = overwrite
        configure(&options)
        return try await PipelineRunner(spec: setup.spec, manifest: setup.manifest, outputDirectory: output.path, options: options).run()
    }

    /// The output without the stats files' timing fields (which are allowed to differ between runs).
    func comparable(_ output: URL) throws -> [String: Data] {
        var files = try directoryContents(output)
        for (name, data) in files where name.hasSuffix("_stats.json") {
            var stats = try JSONDecoder().decode(ShardStats.self, from: data)
            stats.seconds = 0
            stats.stageSeconds = [:]
            stats.startedAt = ""
            stats.finishedAt = ""
            files[name] = Data(try stats.encoded())
        }
        return files
    }

    @Test func singleRunWritesEveryShardAndListsFailures() async throws {
        let setup = try setup()
        let output = try Fixtures.temporaryDirectory("vidi-out")
        let summary = try await run(setup, into: output)
        #expect(summary.shardsTotal == 5 && summary.shardsWritten == 5 && summary.shardsSkipped == 0)
        #expect(summary.videos == 23 && summary.succeeded == 21 && !summary.interrupted)
        #expect(summary.failures.map(\.key) == ["000000004", "000000017"])
        #expect(summary.failures.allSatisfy { $0.reason == "file_head: stage file_head: injected failure" })
        let names = try FileManager.default.contentsOfDirectory(atPath: output.path).sorted()
        #expect(names == ["00000.tar", "00000_stats.json", "00001.tar", "00001_stats.json", "00002.tar", "00002_stats.json",
                          "00003.tar", "00003_stats.json", "00004.tar", "00004_stats.json", "failures.jsonl"])
        let failures = try String(contentsOf: output.appendingPathComponent("failures.jsonl"), encoding: .utf8)
        #expect(failures.split(separator: "\n").count == 2)
        #expect(failures.hasPrefix(#"{"key":"000000004","reason":"file_head: stage file_head: injected failure","shard":"00000","source":"v004-fail.mp4"}"#))
    }

    @Test func shardsReadBackWithPythonTarfileAndNumpy() async throws {
        let setup = try setup()
        let output = try Fixtures.temporaryDirectory("vidi-out")
        _ = try await run(setup, into: output)
        let result = try runTool("python3", [Fixtures.repositoryRoot.appendingPathComponent("Tools/check_shards.py").path, output.path])
        #expect(result.status == 0, "\(result.stderr)")
        struct Summary: Decodable {
            let shards: [String: [String]]
            let samples: [String: [String: JSONValue]]
            let stats: [String: JSONValue]
            let failures: [[String: String]]
        }
        let summary = try JSONDecoder().decode(Summary.self, from: result.stdout)
        #expect(summary.shards["00000"] == ["000000000", "000000001", "000000002", "000000003"])
        #expect(summary.shards["00004"] == ["000000020", "000000021", "000000022"])
        #expect(summary.samples.count == 21)
        #expect(summary.failures.map { $0["source"] } == ["v004-fail.mp4", "v017-fail.mp4"])
        // Expected values come from the files themselves, read here with Foundation.
        for (index, path) in setup.videos.enumerated() where ![4, 17].contains(index) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            let key = ShardLayout.key(ofEntry: index)
            let head = Array(bytes.prefix(16))
            #expect(summary.samples[key]?["head.npy"] == .object([
                "dtype": .string("uint8"), "shape": .array([.int(head.count)]),
                "sum": .int(head.reduce(0) { $0 + Int($1) })]))
            #expect(summary.samples[key]?["json"] == .object([
                "key": .string(key), "source": .string(URL(fileURLWithPath: path).lastPathComponent), "size": .int(bytes.count)]))
        }
    }

    @Test func parallelAndShardedRunsAreByteIdenticalToOneRun() async throws {
        let setup = try setup()
        let reference = try Fixtures.temporaryDirectory("vidi-ref")
        _ = try await run(setup, into: reference, workers: 1)
        let expected = try comparable(reference)

        let parallel = try Fixtures.temporaryDirectory("vidi-par")
        _ = try await run(setup, into: parallel, workers: 4)
        #expect(try comparable(parallel) == expected)

        // Three "processes" sharing one output directory, like a job array.
        let sharded = try Fixtures.temporaryDirectory("vidi-shard")
        var assigned = 0
        for index in [2, 0, 1] {
            let summary = try await run(setup, into: sharded, workers: 2, selection: .init(index: index, count: 3))
            assigned += summary.shardsAssigned
        }
        #expect(assigned == 5)
        #expect(try comparable(sharded) == expected)
    }

    @Test func concurrentShardedRunsIntoOneDirectoryEqualOneRun() async throws {
        let setup = try setup()
        let reference = try Fixtures.temporaryDirectory("vidi-ref")
        _ = try await run(setup, into: reference, workers: 1)
        // Four "processes" at once, sharing the directory and the run-wide failures.jsonl.
        let shared = try Fixtures.temporaryDirectory("vidi-concurrent")
        try await withThrowingTaskGroup(of: RunSummary.self) { group in
            for index in 0..<4 {
                group.addTask { try await self.run(setup, into: shared, workers: 1, selection: .init(index: index, count: 4)) }
            }
            var assigned = 0
            for try await summary in group { assigned += summary.shardsAssigned }
            #expect(assigned == 5)
        }
        // The failure list is rebuilt after the last finisher, so it is complete whichever finished last.
        _ = try await run(setup, into: shared, resume: true)
        #expect(try comparable(shared) == comparable(reference))
    }

    struct SimulatedCrash: Error {}

    @Test(arguments: [
        CrashPoint.afterSample(shard: "00000", written: 1),
        .afterSample(shard: "00001", written: 3),
        .beforeShardRename(shard: "00002"),
        .beforeStatsRename(shard: "00002"),
        .afterSample(shard: "00004", written: 3),
        .beforeStatsRename(shard: "00004"),
    ])
    func resumeAfterACrashEqualsAnUninterruptedRun(point: CrashPoint) async throws {
        let setup = try setup()
        let reference = try Fixtures.temporaryDirectory("vidi-ref")
        _ = try await run(setup, into: reference)
        let output = try Fixtures.temporaryDirectory("vidi-crash")
        await #expect(throws: SimulatedCrash.self) {
            try await run(setup, into: output) { options in
                options.crashHook = { if $0 == point { throw SimulatedCrash() } }
            }
        }
        let summary = try await run(setup, into: output, resume: true)
        #expect(summary.shardsSkipped + summary.shardsWritten == 5)
        #expect(summary.failures.count == 2)
        // Temporary files of the crashed attempt are overwritten by the redo, so none remain.
        #expect(try comparable(output) == comparable(reference))
    }

    @Test func finishedOutputNeedsResumeOrOverwrite() async throws {
        let setup = try setup()
        let output = try Fixtures.temporaryDirectory("vidi-out")
        _ = try await run(setup, into: output)
        await #expect(throws: PipelineError.self) { try await run(setup, into: output) }
        let resumed = try await run(setup, into: output, resume: true)
        #expect(resumed.shardsSkipped == 5 && resumed.shardsWritten == 0 && resumed.videos == 0)
        #expect(resumed.failures.count == 2, "failures of shards finished earlier still count")
        let redone = try await run(setup, into: output, overwrite: true)
        #expect(redone.shardsWritten == 5)
    }

    @Test func cancellationKeepsFinishedShardsAndDropsThePartialOne() async throws {
        let setup = try setup()
        let reference = try Fixtures.temporaryDirectory("vidi-ref")
        _ = try await run(setup, into: reference)
        let output = try Fixtures.temporaryDirectory("vidi-int")
        let flag = CancellationFlag()
        let summary = try await run(setup, into: output, workers: 1) { options in
            options.cancellation = flag
            options.progress = { if $0.videosDone == 7 { flag.set() } }
        }
        #expect(summary.interrupted)
        #expect(summary.shardsWritten == 1)
        let names = try FileManager.default.contentsOfDirectory(atPath: output.path).sorted()
        #expect(names == ["00000.tar", "00000_stats.json", "failures.jsonl"], "no temporary or partial shard left")
        _ = try await run(setup, into: output, resume: true)
        #expect(try comparable(output) == comparable(reference))
    }

    @Test func directoryFormatWritesOneFolderPerShard() async throws {
        let setup = try setup(yaml: """
            stages: [file_head]
            output: {format: directory, samples_per_shard: 10}
            """, count: 12, failing: [])
        let output = try Fixtures.temporaryDirectory("vidi-dir")
        _ = try await run(setup, into: output)
        let files = try directoryContents(output)
        #expect(files.keys.filter { $0.hasPrefix("00000/") }.count == 20)
        #expect(files.keys.filter { $0.hasPrefix("00001/") }.sorted() == [
            "00001/000000010.head.npy", "00001/000000010.json", "00001/000000011.head.npy", "00001/000000011.json"])
        #expect(files["00001/000000011.json"] == Data(#"{"key":"000000011","size":31,"source":"v011.mp4"}"#.utf8))
    }

    @Test func perVideoTimeLimitFailsOnlyThatVideo() async throws {
        struct SlowStage: PipelineStage {
            let name = "slow"
            var outputs: [String] { [] }
            func process(_ video: VideoContext) throws {
                // Polls like a decoder between packets; only videos named *-fail* stall.
                guard video.path.contains("-fail") else { return }
                while true { try video.checkDeadline(); Thread.sleep(forTimeInterval: 0.005) }
            }
        }
        let catalog = try StageCatalog.testing.adding("slow") { p in try p.read { _ in SlowStage() } }
        let base = try setup(count: 6, failing: [2])
        let spec = try PipelineSpec.parse(yaml: "stages: [slow, file_head]\nrun: {video_timeout: 0.1}", catalog: catalog)
        let output = try Fixtures.temporaryDirectory("vidi-timeout")
        let summary = try await run(Setup(manifest: base.manifest, spec: spec, videos: base.videos), into: output)
        #expect(summary.succeeded == 5)
        #expect(summary.failures.map(\.reason) == ["slow: timed out after 0.1 s"])
    }
}
