import Foundation
import Testing
import VidiFormats
import VidiModelStages
import VidiRetrieval
import VidiTestSupport
@testable import VidiPipeline

/// `retrieval_index` under `vidi run`: one `.vidx` over the manifest, byte-identical for any worker count
/// or shard split and after a crash + resume, with the values `vidi index build` computes for each video.
@Suite struct RetrievalIndexStageTests {
    static let videos = ["h264-closedgop.mp4", "bad-random.mp4", "mpeg4-part2.mp4", "vfr.mp4", "vp9.webm"]
    let harness = EmbedStageTests()

    func setup() throws -> EmbedStageTests.Setup {
        let dir = try Fixtures.temporaryDirectory("vidi-retrieval-index")
        let list = dir.appendingPathComponent("list.txt").path
        try Self.videos.map { Fixtures.path("media/\($0)") }.joined(separator: "\n").write(toFile: list, atomically: true, encoding: .utf8)
        let yaml = """
            stages:
              - frames: {sampler: {fps: 1}}
              - retrieval_index: {max_frames: 12, batch: 2, index: videos.vidx}
            output: {samples_per_shard: 2}
            """
        let catalog = try StageCatalog.standard.merging(.models)
        return .init(dir: dir, manifest: try Manifest.load(path: list), spec: try PipelineSpec.parse(yaml: yaml, catalog: catalog), weights: "")
    }

    @Test func workersShardSplitsAndResumeGiveIdenticalBytes() async throws {
        let s = try setup()
        let one = s.dir.appendingPathComponent("one"), two = s.dir.appendingPathComponent("two")
        let split = s.dir.appendingPathComponent("split"), crashed = s.dir.appendingPathComponent("crashed")
        let first = try await harness.run(s, into: one, workers: 1)
        #expect(first.succeeded == 4 && first.failures.map(\.source) == [Fixtures.path("media/bad-random.mp4")])
        #expect(first.runOutputsWritten == [one.appendingPathComponent("videos.vidx").path])
        _ = try await harness.run(s, into: two, workers: 2)
        for shard in 0..<3 { _ = try await harness.run(s, into: split, workers: 2, selection: ShardSelection(index: shard, count: 3)) }
        struct Crash: Error {}
        await #expect(throws: Crash.self) {
            _ = try await harness.run(s, into: crashed, workers: 2) { if $0 == .beforeStatsRename(shard: "00001") { throw Crash() } }
        }
        _ = try await harness.run(s, into: crashed, workers: 1, resume: true)
        let reference = try harness.comparable(one)
        #expect(reference.keys.contains("videos.vidx"))
        func differing(_ files: [String: Data]) -> [String] {
            Set(files.keys).union(reference.keys).filter { files[$0] != reference[$0] }.sorted()
        }
        for (label, files) in [("2 workers", try harness.comparable(two)), ("3 shard splits", try harness.comparable(split)),
                               ("crash + resume", try harness.comparable(crashed).filter { !$0.key.hasPrefix(".") && !$0.key.contains("/.") })] {
            let different = differing(files)
            #expect(different.isEmpty, "\(label): \(different)")
        }
    }

    @Test func theIndexHoldsWhatIndexBuildComputes() async throws {
        let s = try setup()
        let output = s.dir.appendingPathComponent("out")
        _ = try await harness.run(s, into: output, workers: 2)
        let index = try RetrievalIndex(path: output.appendingPathComponent("videos.vidx").path, verify: true)
        let sources = Self.videos.filter { $0 != "bad-random.mp4" }.map { Fixtures.path("media/\($0)") }
        #expect(index.metadata.ids == sources)
        // Reference: `vidi index build`'s path, one video at a time (same frames, same model; batched
        // encoding differs only in summation order).
        let model = try RetrievalModel(path: nil)
        for (i, source) in sources.enumerated() {
            let want = try model.indexedVideo(path: source, interaction: model.defaultInteraction)
            let got = try index.video(i)
            #expect(got.frameCount == want.frameCount)
            #expect(zip(got.features, want.features).allSatisfy { abs($0 - $1) <= 1e-4 })
            #expect(zip(got.weights, want.weights).allSatisfy { abs($0 - $1) <= 1e-4 })
        }
    }

    @Test func badParametersAreRejectedWithTheKey() throws {
        let catalog = try StageCatalog.standard.merging(.models)
        for stage in ["retrieval_index: {index: out/x.vidx}", "retrieval_index: {interaction: max}", "retrieval_index: {max_frames: 0}"] {
            #expect(throws: (any Error).self) { try PipelineSpec.parse(yaml: "stages:\n  - frames: {sampler: {fps: 1}}\n  - \(stage)\n", catalog: catalog) }
        }
    }
}
