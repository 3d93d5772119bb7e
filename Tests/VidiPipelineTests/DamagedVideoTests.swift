import Foundation
import Testing
import VidiMedia
import VidiRandom
import VidiTensor
import VidiTestSupport
@testable import VidiPipeline

/// `run.damaged`: strict by default; with `keep` every stage writes the frames that decode and the
/// sample's `.json` says what is missing. References: the ffmpeg CLI's and ffprobe's decode of the same
/// damaged bytes (FFmpeg 5.1, single-threaded as the pipeline decodes).
@Suite struct DamagedVideoTests {
    let stages = MediaStageTests()

    /// Every stage that decodes, with samplers that ask for frames past the damage.
    static func spec(_ policy: String?) -> String {
        """
        stages:
          - {probe: {timestamps: true}}
          - {frames: {sampler: {every: 1}}}
          - {frames: {sampler: {random_clips: {count: 6, length: 4, stride: 2, seed: 5}}, name: rc}}
          - keyframes
          - motion_vectors
          - {dense_motion: {cell: 8}}
          - frame_types
          - {clips: {length: 1.0, frames: 25}}
        output: {format: directory}
        """ + (policy.map { "\nrun: {damaged: \($0)}" } ?? "")
    }

    /// h264-bframes-opengop.mp4 with 400 seeded random bytes over slice data (as DamagedStreamTests):
    /// one frame no longer decodes, the rest do.
    static func damagedCopy() throws -> String {
        let path = try Fixtures.temporaryDirectory("vidi-damaged").appendingPathComponent("damaged-middle.mp4").path
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("media/h264-bframes-opengop.mp4"))))
        var generator = SplitMix64(seed: 3)
        for i in 60_000..<60_400 { bytes[i] = UInt8(truncatingIfNeeded: generator.next()) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func run(_ yaml: String, _ paths: [String]) async throws -> (URL, RunSummary) {
        let dir = try Fixtures.temporaryDirectory("vidi-damaged-run")
        let list = dir.appendingPathComponent("list.txt")
        try paths.joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        let output = dir.appendingPathComponent("out")
        let summary = try await PipelineRunner(spec: try PipelineSpec.parse(yaml: yaml), manifest: try Manifest.load(path: list.path),
                                               outputDirectory: output.path, options: RunOptions(workers: 2)).run()
        return (output, summary)
    }

    func stats(_ output: URL) throws -> ShardStats {
        try ShardStats.read(path: output.appendingPathComponent("00000_stats.json").path)
    }

    /// `ffmpeg -threads 1 -i F -f rawvideo -pix_fmt rgb24`: the frames FFmpeg gets out of the damaged bytes.
    static func ffmpegFrames(_ path: String) throws -> [UInt8] {
        [UInt8](try runTool("ffmpeg", ["-v", "quiet", "-nostdin", "-threads", "1", "-i", path, "-fps_mode", "passthrough",
                                       "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]).stdout)
    }

    /// `ffprobe -threads 1 -show_frames`: (best-effort time, pict_type) per output frame.
    static func ffprobeFrames(_ path: String) throws -> [(time: Double, type: String)] {
        let text = try runTool("ffprobe", ["-v", "quiet", "-threads", "1", "-select_streams", "v:0", "-show_entries",
                                           "frame=best_effort_timestamp_time,pict_type", "-of", "csv=p=0", path]).text
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ",").map(String.init)
            guard fields.count >= 2, let time = Double(fields[0]) else { return nil }
            return (time, fields[1])
        }
    }

    @Test func damagedVideosFailByDefault() async throws {
        let truncated = Fixtures.path("media/bad-truncated.mp4")
        let (output, summary) = try await run(Self.spec(nil), [truncated, try Self.damagedCopy()])
        #expect(summary.succeeded == 0 && summary.damaged == 0)
        #expect(summary.failures.count == 2)
        // The truncated file decodes whole up to the break but its reader warned; the damaged one loses a frame.
        #expect(summary.failures[0].reason.hasPrefix("damaged: "), "\(summary.failures[0].reason)")
        #expect(summary.failures[1].reason.contains("could not be decoded"), "\(summary.failures[1].reason)")
        let stats = try stats(output)
        #expect(stats.failed == 2 && stats.damaged == 0 && stats.succeeded == 0)
    }

    @Test func keptTruncatedVideoWritesEveryFrameBeforeTheBreak() async throws {
        // ffmpeg decodes 35 frames from the half file (FrameConversion/BadInput tests check Vidi's reader).
        let path = Fixtures.path("media/bad-truncated.mp4")
        let (output, summary) = try await run(Self.spec("keep"), [path])
        #expect(summary.failures.isEmpty && summary.succeeded == 1 && summary.damaged == 1)
        let stats = try stats(output)
        #expect(stats.damaged == 1 && stats.succeeded == 1 && stats.failed == 0)
        let frames = try stages.npy(output, key: 0, "frames.npy")
        #expect(frames.shape == [35, 240, 320, 3])
        #expect(frames.data == (try Self.ffmpegFrames(path)))
        let meta = try stages.json(output, key: 0)
        guard case .object(let damaged)? = meta["damaged"] else { Issue.record("no damaged record"); return }
        #expect(damaged["missing_frames"] == .array([]))
        #expect(damaged["warnings"] == .array([.string("1 corrupt (partial) video packet(s) left out of the frame index"),
                                                .string("the container indexes 40 video packet(s) past the end of the file (55988 bytes): truncated file")]))
        #expect(try stages.npy(output, key: 0, "motion.npy").shape == [35, 30, 40, 2])
        #expect(meta["motion"] == nil, "a complete motion pass records no indices")
    }

    @Test func keptDamagedVideoWritesTheFramesThatDecodeAndNamesTheOthers() async throws {
        let path = try Self.damagedCopy()
        let (output, summary) = try await run(Self.spec("keep"), [path])
        #expect(summary.failures.isEmpty && summary.damaged == 1)
        let meta = try stages.json(output, key: 0)

        // Missing: the indexed frames whose timestamp ffprobe's decode never outputs.
        let probed = try Self.ffprobeFrames(path)
        let timestamps = try stages.npy(output, key: 0, "timestamps.npy").data.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
        #expect(timestamps.count == 75)
        let missing = timestamps.indices.filter { i in !probed.contains { abs($0.time - timestamps[i]) < 1e-6 } }
        #expect(missing.count == 1 && probed.count == 74)
        guard case .object(let damaged)? = meta["damaged"] else { Issue.record("no damaged record"); return }
        #expect(damaged["missing_frames"] == .array(missing.map { .int($0) }))
        if case .array(let warnings)? = damaged["warnings"] { #expect(!warnings.isEmpty) } else { Issue.record("no warnings") }

        // frames (every 1): the 74 frames that decode, ffmpeg's pixels, indices without the missing one.
        let kept = (0..<75).filter { !missing.contains($0) }
        #expect(try stages.npy(output, key: 0, "frames.npy").data == (try Self.ffmpegFrames(path)))
        #expect(meta["frames"]?.objectValue?["indices"] == .array([.array(kept.map { .int($0) })]))

        // Motion pass: 74 maps and picture types (ffprobe's), with their frame indices recorded.
        #expect(try stages.npy(output, key: 0, "motion.npy").shape == [74, 30, 40, 2])
        #expect(meta["motion"] == .object(["indices": .array(kept.map { .int($0) })]))
        let types = String(decoding: try stages.file(output, key: 0, "frame_types.txt"), as: UTF8.self)
        #expect(types == probed.map { $0.type + "\n" }.joined())
        let mvs = try stages.npy(output, key: 0, "mvs.npy")
        let frameColumn = mvs.data.withUnsafeBytes { raw in stride(from: 0, to: mvs.shape[0] * 11, by: 11).map { Int(raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)) } }
        #expect(!frameColumn.contains { missing.contains($0) })
        #expect(meta["keyframes"] == .object(["indices": .array([0, 25, 50].map { .int($0) })]))

        // Clips (every frame of each 1 s window): the window with the missing frame has no file.
        guard case .array(let clips)? = meta["clip"] else { Issue.record("no clip metadata"); return }
        #expect(clips.count == 3)
        var dropped = 0
        for (c, clip) in clips.enumerated() {
            guard case .array(let indices)? = clip.objectValue?["indices"] else { continue }
            let lost = missing.filter { indices.contains(.int($0)) }
            let name = "clip.\(FrameEncoding.number(c)).npy"
            if lost.isEmpty {
                #expect(try stages.npy(output, key: 0, name).shape == [25, 240, 320, 3])
                #expect(clip.objectValue?["missing_frames"] == nil)
            } else {
                dropped += 1
                #expect((try? stages.file(output, key: 0, name)) == nil, "\(name) written though damaged")
                #expect(clip.objectValue?["missing_frames"] == .array(lost.map { .int($0) }))
            }
        }
        #expect(dropped == 1)

        // Random clips: exactly those holding the missing frame are listed and not written.
        guard case .array(let groups)? = meta["rc"]?.objectValue?["indices"] else { Issue.record("no rc metadata"); return }
        var expectedMissing: [JSONValue] = []
        for (c, group) in groups.enumerated() {
            guard case .array(let indices) = group else { continue }
            let hit = missing.contains { indices.contains(.int($0)) }
            if hit { expectedMissing.append(.int(c)) }
            #expect(((try? stages.file(output, key: 0, "rc.\(FrameEncoding.number(c)).npy")) != nil) == !hit, "clip \(c)")
        }
        #expect(meta["rc"]?.objectValue?["missing_clips"] == (expectedMissing.isEmpty ? nil : .array(expectedMissing)))
    }

    @Test func statsWithoutADamagedCountStillRead() throws {
        // A stats file from before `damaged` existed: resume must keep its shard, reading 0 damaged.
        let old = """
            {"bytes": 10, "entries": 1, "failed": 0, "failures": [], "finished_at": "b", "frames": 3, "seconds": 1,
             "shard": "00000", "stage_seconds": {}, "started_at": "a", "succeeded": 1}
            """
        let stats = try JSONDecoder().decode(ShardStats.self, from: Data(old.utf8))
        #expect(stats.damaged == 0 && stats.succeeded == 1 && stats.frames == 3)
    }
}

/// Frames that share a timestamp (Fixtures/media/*-dup-pts.mkv, 180 frames each) through every media
/// stage: nothing fails, and the outputs hold all 180 frames (ffmpeg's pixels, ffprobe's picture types).
@Suite struct SharedTimestampPipelineTests {
    @Test func everyStageGetsAll180Frames() async throws {
        let names = ["h264-dup-pts.mkv", "mpeg4-dup-pts.mkv"]
        let stages = MediaStageTests()
        let (output, summary) = try await stages.run("""
            stages: [probe, {frames: {sampler: {every: 1}}}, keyframes, motion_vectors, {dense_motion: {cell: 8}}, frame_types,
                     {clips: {length: 2.0, frames: 8}}]
            output: {format: directory}
            """, names)
        #expect(summary.failures.isEmpty && summary.succeeded == 2 && summary.damaged == 0)
        for (key, name) in names.enumerated() {
            let path = Fixtures.path("media/\(name)")
            let meta = try stages.json(output, key: key)
            #expect(meta["damaged"] == nil)
            #expect(meta["video"]?.objectValue?["frame_count"] == .int(180))
            let reference = try runTool("ffmpeg", ["-v", "quiet", "-nostdin", "-i", path, "-fps_mode", "passthrough",
                                                   "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]).stdout
            let frames = try stages.npy(output, key: key, "frames.npy")
            #expect(frames.shape == [180, 96, 128, 3])
            #expect(frames.data == [UInt8](reference), "\(name)")
            let types = try stages.ffprobeFrames(name, "pict_type").map { $0[0] + "\n" }.joined()
            #expect(String(decoding: try stages.file(output, key: key, "frame_types.txt"), as: UTF8.self) == types)
            #expect(try stages.npy(output, key: key, "motion.npy").shape == [180, 12, 16, 2])
            #expect(meta["keyframes"] == .object(["indices": .array([0, 60, 120].map { .int($0) })]))
        }
    }
}
