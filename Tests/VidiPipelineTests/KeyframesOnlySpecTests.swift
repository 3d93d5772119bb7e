import Foundation
import Testing
@testable import VidiMedia
@testable import VidiPipeline
import VidiTestSupport

/// A spec whose stages need no frame index (`keyframes`, `resize`) opens its videos without the packet
/// scan, as `vidi keyframes` does, and writes what the scanning open writes (whose keyframes the media
/// tests check against ffprobe and the ffmpeg CLI).
@Suite struct KeyframesOnlySpecTests {
    /// Runs every stage of `yaml` on one fixture the way a worker does; returns the video's context.
    static func processed(_ yaml: String, _ name: String) throws -> VideoContext {
        let spec = try PipelineSpec.parse(yaml: yaml)
        let dir = try Fixtures.temporaryDirectory("vidi-keyframes-only")
        let list = dir.appendingPathComponent("list.txt")
        try Fixtures.path("media/\(name)").write(to: list, atomically: true, encoding: .utf8)
        let processor = GroupProcessor(stages: spec.stages, limitSeconds: nil, keepDamaged: false, maxSampleBytes: .max, cancellation: nil)
        let context = try #require(processor.contexts(for: try Manifest.load(path: list.path).entries).first)
        for stage in spec.stages { try stage.process(context) }
        return context
    }

    @Test(arguments: ["h264-bframes-opengop.mp4", "rotated-90.mp4", "mpeg4-part2.mp4", "vfr.mp4", "mjpeg.avi"])
    func keyframesOnlySpecsSkipTheScanAndWriteTheSameKeyframes(_ name: String) throws {
        let alone = try Self.processed("stages: [{resize: {shorter_side: 96}}, keyframes]", name)
        let scanned = try Self.processed("stages: [probe, {resize: {shorter_side: 96}}, keyframes]", name)
        let reader = try #require(alone.openedReader)
        #expect(!reader.options.indexAtOpen && !reader.isIndexed, "the one pass built no index")
        #expect(try #require(scanned.openedReader).isIndexed)
        #expect(alone.metadata["keyframes"] == scanned.metadata["keyframes"])
        let files = alone.files.filter { $0.name.hasPrefix("keyframes") }
        #expect(!files.isEmpty)
        #expect(files.map(\.name) == scanned.files.filter { $0.name.hasPrefix("keyframes") }.map(\.name))
        #expect(files.map(\.bytes) == scanned.files.filter { $0.name.hasPrefix("keyframes") }.map(\.bytes))
    }

    /// The memory limit still holds when the keyframe count is only known as the pass finds them.
    @Test func sampleSizeLimitStopsTheOnePass() throws {
        let spec = try PipelineSpec.parse(yaml: "stages: [keyframes]")
        let dir = try Fixtures.temporaryDirectory("vidi-keyframes-limit")
        let list = dir.appendingPathComponent("list.txt")
        try Fixtures.path("media/h264-bframes-opengop.mp4").write(to: list, atomically: true, encoding: .utf8)
        // 320 x 240 RGB is 230,400 bytes a keyframe; the file has more than one keyframe.
        let processor = GroupProcessor(stages: spec.stages, limitSeconds: nil, keepDamaged: false, maxSampleBytes: 300_000, cancellation: nil)
        let context = try #require(processor.contexts(for: try Manifest.load(path: list.path).entries).first)
        #expect(throws: PipelineError.self) { try spec.stages[0].process(context) }
        #expect(try #require(context.openedReader).isIndexed == false)
    }

    /// Files that fail with the scanning open (unreadable, or damaged: a truncated file) fail without it too.
    @Test(arguments: ["bad-truncated.mp4", "bad-empty.mp4", "bad-random.mp4", "bad-audio-only.m4a"])
    func badFilesStillFail(_ name: String) throws {
        func outcome(_ yaml: String) throws -> VideoOutcome? {
            let spec = try PipelineSpec.parse(yaml: yaml)
            let dir = try Fixtures.temporaryDirectory("vidi-keyframes-bad")
            let list = dir.appendingPathComponent("list.txt")
            try Fixtures.path("media/\(name)").write(to: list, atomically: true, encoding: .utf8)
            let processor = GroupProcessor(stages: spec.stages, limitSeconds: nil, keepDamaged: false, maxSampleBytes: .max, cancellation: nil)
            return processor.process(try Manifest.load(path: list.path).entries, models: WorkerModels()).first
        }
        for yaml in ["stages: [keyframes]", "stages: [probe, keyframes]"] {
            guard case .failure(let reason)? = try outcome(yaml)?.result else { Issue.record("\(name) succeeded with \(yaml)"); continue }
            #expect(!reason.isEmpty)
        }
    }
}
