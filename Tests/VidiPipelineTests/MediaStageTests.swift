import Foundation
import VidiFormats
import Testing
import VidiMedia
import VidiTensor
import VidiTestSupport
@testable import VidiPipeline

/// The built-in media stages on the committed fixtures, against independent references: ffprobe (picture
/// types, key flags, timestamps), the ffmpeg CLI (RGB pixels, byte-identical), and PyAV goldens from
/// Tools/make_pipeline_goldens.py (motion vectors and dense motion maps).
@Suite struct MediaStageTests {
    static let good = ["audio-first.mp4", "h264-10bit.mp4", "h264-bframes-opengop.mp4", "h264-closedgop.mp4", "hevc.mp4",
                       "mjpeg.avi", "mpeg4-part2.mp4", "odd-321x241.mp4", "rotated-90.mp4", "vfr.mp4", "vp9.webm"]
    static let bad = ["bad-audio-only.m4a", "bad-empty.mp4", "bad-random.mp4", "bad-text.txt", "bad-truncated.mp4"]

    /// Runs `yaml` on `files` (fixture names) with directory output; returns the output folder.
    func run(_ yaml: String, _ files: [String], workers: Int = 2) async throws -> (URL, RunSummary) {
        let dir = try Fixtures.temporaryDirectory("vidi-media")
        let list = dir.appendingPathComponent("list.txt")
        try files.map { Fixtures.path("media/\($0)") }.joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        let spec = try PipelineSpec.parse(yaml: yaml)
        let output = dir.appendingPathComponent("out")
        let summary = try await PipelineRunner(spec: spec, manifest: try Manifest.load(path: list.path),
                                               outputDirectory: output.path, options: RunOptions(workers: workers)).run()
        return (output, summary)
    }

    func file(_ output: URL, key: Int, _ name: String) throws -> Data {
        let url = output.appendingPathComponent("00000/\(ShardLayout.key(ofEntry: key)).\(name)")
        return try Data(contentsOf: url)
    }

    func json(_ output: URL, key: Int) throws -> [String: JSONValue] {
        try JSONDecoder().decode([String: JSONValue].self, from: try file(output, key: key, "json"))
    }

    func npy(_ output: URL, key: Int, _ name: String) throws -> NPYFormat.Array {
        try NPYFormat.decode([UInt8](try file(output, key: key, name)))
    }

    /// `ffprobe -show_frames`: per frame in display (output) order, the given entries.
    func ffprobeFrames(_ name: String, _ entries: String) throws -> [[String]] {
        let result = try runTool("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "frame=\(entries)",
                                             "-of", "csv=p=0", Fixtures.path("media/\(name)")])
        return result.text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    @Test func goodAndBadFixturesCompleteWithEveryBadOneListed() async throws {
        let files = (Self.good + Self.bad).sorted()
        let (output, summary) = try await run("""
            stages: [probe, keyframes, frame_types]
            output: {format: directory, samples_per_shard: 100}
            """, files)
        #expect(summary.succeeded == Self.good.count)
        #expect(Set(summary.failures.map { URL(fileURLWithPath: $0.source).lastPathComponent }) == Set(Self.bad))
        #expect(summary.failures.allSatisfy { !$0.reason.isEmpty })
        for (index, name) in files.enumerated() where Self.good.contains(name) {
            let meta = try json(output, key: index)
            #expect(meta["source"] == .string(Fixtures.path("media/\(name)")))
            #expect(!(try file(output, key: index, "keyframes.npy")).isEmpty)
        }
        let failures = try String(contentsOf: output.appendingPathComponent("failures.jsonl"), encoding: .utf8)
        #expect(failures.split(separator: "\n").count == Self.bad.count)
    }

    @Test func frameTypesAndKeyframesMatchFFprobe() async throws {
        let files = ["h264-bframes-opengop.mp4", "mpeg4-part2.mp4", "vfr.mp4"]
        let (output, summary) = try await run("stages: [keyframes, frame_types]\noutput: {format: directory}", files)
        #expect(summary.failures.isEmpty)
        for (index, name) in files.enumerated() {
            let frames = try ffprobeFrames(name, "pict_type,key_frame")
            let types = String(decoding: try file(output, key: index, "frame_types.txt"), as: UTF8.self)
            #expect(types == frames.map { $0[1] + "\n" }.joined(), "\(name)")
            let keyIndices = frames.indices.filter { frames[$0][0] == "1" }
            #expect(try json(output, key: index)["keyframes"] == .object(["indices": .array(keyIndices.map { .int($0) })]))
            #expect(try npy(output, key: index, "keyframes.npy").shape == [keyIndices.count, 240, 320, 3])
        }
    }

    /// With a motion stage in the spec, keyframes come from the motion pass (one decode); alone, from
    /// `VideoReader.keyframes` (skip_frame=NONKEY, checked against ffprobe and ffmpeg by the media tests).
    /// Both must write the same bytes, and the motion outputs must not depend on the keyframes stage.
    @Test func keyframesFromTheMotionPassEqualKeyframesOnlyDecoding() async throws {
        let files = Self.good
        let (single, singleSummary) = try await run("""
            stages: [{resize: {shorter_side: 120}}, keyframes, {dense_motion: {cell: 8}}, frame_types]
            output: {format: directory}
            """, files)
        let (separate, separateSummary) = try await run("""
            stages: [{dense_motion: {cell: 8}}, frame_types, {resize: {shorter_side: 120}}, keyframes]
            output: {format: directory}
            """, files)
        #expect(singleSummary.failures.isEmpty && separateSummary.failures.isEmpty)
        for index in files.indices {
            for name in ["keyframes.npy", "motion.npy", "frame_types.txt"] {
                #expect(try file(single, key: index, name) == file(separate, key: index, name), "\(files[index]) \(name)")
            }
            #expect(try json(single, key: index)["keyframes"] == json(separate, key: index)["keyframes"])
        }
    }

    @Test func uniformFramesAreFFmpegsPixels() async throws {
        let (output, _) = try await run("stages: [{frames: {sampler: {uniform: 4}}}]\noutput: {format: directory}", ["h264-closedgop.mp4"])
        // Centres of 4 equal spans of 50 frames: floor((i + 0.5) * 12.5).
        let indices = [6, 18, 31, 43]
        #expect(try json(output, key: 0)["frames"]?.objectValue?["indices"] == .array([.array(indices.map { .int($0) })]))
        let frames = try npy(output, key: 0, "frames.npy")
        #expect(frames.shape == [4, 240, 320, 3] && frames.descr == "|u1")
        let all = try runTool("ffmpeg", ["-v", "error", "-nostdin", "-i", Fixtures.path("media/h264-closedgop.mp4"),
                                         "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]).stdout
        let size = 240 * 320 * 3
        for (slot, index) in indices.enumerated() {
            #expect(Array(frames.data[(slot * size)..<((slot + 1) * size)]) == Array(all[(index * size)..<((index + 1) * size)]),
                    "frame \(index) differs from ffmpeg's rgb24")
        }
    }

    @Test func randomSamplersDrawPerVideoAndRepeatExactly() async throws {
        let yaml = """
            stages:
              - frames: {sampler: {segments: {count: 4, seed: 7}}}
              - frames: {sampler: {random_clips: {count: 2, length: 4, stride: 2, seed: 1}}, name: clips}
            output: {format: directory}
            """
        let files = ["h264-closedgop.mp4", "h264-closedgop.mp4"]  // 50 frames each
        let (first, _) = try await run(yaml, files)
        let (second, _) = try await run(yaml, files)
        func indices(_ output: URL, _ key: Int, _ name: String) throws -> [[Int]] {
            guard case .object(let meta)? = try json(output, key: key)[name], case .array(let clips)? = meta["indices"] else { return [] }
            return clips.map { clip in
                guard case .array(let values) = clip else { return [] }
                return values.compactMap { if case .int(let v) = $0 { return v } else { return nil } }
            }
        }
        let segments = try indices(first, 0, "frames")
        #expect(segments.count == 1 && segments[0].count == 4)
        // TSN: one frame inside each of 4 equal segments of 50 frames (k * 50 / 4 ..< (k + 1) * 50 / 4).
        for (k, index) in (segments.first ?? []).enumerated() { #expect((k * 50 / 4)..<((k + 1) * 50 / 4) ~= index) }
        #expect(try indices(first, 1, "frames") != segments, "the same file at another manifest position draws again")
        #expect(try indices(second, 0, "frames") == segments && indices(second, 1, "frames") == indices(first, 1, "frames"))
        let clips = try indices(first, 0, "clips")
        #expect(clips.count == 2 && clips.allSatisfy { $0.count == 4 && zip($0, $0.dropFirst()).allSatisfy { $1 - $0 == 2 } })
        #expect(try npy(first, key: 0, "clips.0001.npy").shape == [4, 240, 320, 3])
    }

    @Test func resizeAndCropShapeTheFrames() async throws {
        let (output, summary) = try await run("""
            stages:
              - resize: {shorter_side: 120, crop: [150, 100]}
              - frames: {sampler: {every: 10}}
              - keyframes
            output: {format: directory}
            """, ["rotated-90.mp4"])
        #expect(summary.failures.isEmpty, "\(summary.failures)")
        // rotated-90: 320x240 coded, displayed 240 wide x 320 high; shorter side 120 gives 120 x 160, then
        // a centre crop to 150 high x 100 wide. Frames 0, 10, 20 of 25; keyframe count from ffprobe.
        #expect(try npy(output, key: 0, "frames.npy").shape == [3, 150, 100, 3])
        let keyframes = try ffprobeFrames("rotated-90.mp4", "key_frame").filter { $0[0] == "1" }.count
        #expect(try npy(output, key: 0, "keyframes.npy").shape == [keyframes, 150, 100, 3])
    }

    /// The frame stages make frames on VidiMedia's model-input path: the `resize` stage's size, crop and
    /// filter give exactly `VideoReader.modelInput`'s bytes for the same request (whose pixels are checked
    /// against torchvision by the media tests).
    @Test func resizedFramesAreTheModelInputPathsBytes() async throws {
        let (output, summary) = try await run("""
            stages:
              - resize: {shorter_side: 100, crop: [90, 96], filter: area}
              - frames: {sampler: {uniform: 3}}
              - keyframes
            output: {format: directory}
            """, ["h264-bframes-opengop.mp4"])
        #expect(summary.failures.isEmpty, "\(summary.failures)")
        let reader = try VideoReader(path: Fixtures.path("media/h264-bframes-opengop.mp4"))
        for (name, frames) in [("frames.npy", FrameSampler.uniform(count: 3)), ("keyframes.npy", .keyframes)] {
            let expected = try reader.modelInput(ModelInputRequest(frames: frames, resize: .shorterSide(100),
                                                                   crop: .center(width: 96, height: 90), layout: .hwcBytes, filter: .area))
            let written = try npy(output, key: 0, name)
            #expect(written.shape == expected.shape, "\(name)")
            #expect(written.data == expected.bytes, "\(name)")
        }
    }

    @Test func imageFormatsAreDecodableByFFmpeg() async throws {
        let (output, summary) = try await run("""
            stages:
              - keyframes: {format: png}
              - frames: {sampler: {uniform: 2}, format: jpg, quality: 95, name: thumbs}
            output: {format: directory}
            """, ["h264-closedgop.mp4"])
        #expect(summary.failures.isEmpty, "\(summary.failures)")
        // PNG is lossless: each keyframe's pixels must equal ffmpeg's own rgb24 decode of that frame.
        let all = try runTool("ffmpeg", ["-v", "error", "-nostdin", "-i", Fixtures.path("media/h264-closedgop.mp4"),
                                         "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]).stdout
        let size = 240 * 320 * 3
        guard case .object(let keyframes)? = try json(output, key: 0)["keyframes"], case .array(let indices)? = keyframes["indices"] else {
            Issue.record("no keyframe indices"); return
        }
        for (slot, value) in indices.enumerated() {
            guard case .int(let index) = value else { continue }
            let png = output.appendingPathComponent("00000/000000000.keyframes.\(FrameEncoding.number(slot)).png").path
            let decoded = try runTool("ffmpeg", ["-v", "error", "-nostdin", "-i", png, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]).stdout
            #expect(decoded == all[(index * size)..<((index + 1) * size)], "keyframe \(index)")
        }
        for slot in 0..<2 {
            let jpg = output.appendingPathComponent("00000/000000000.thumbs.\(FrameEncoding.number(slot)).jpg").path
            let probe = try runTool("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", jpg])
            #expect(probe.text.trimmingCharacters(in: .whitespacesAndNewlines) == "mjpeg,320,240")
        }
    }

    @Test func oversizedSamplesFailBeforeDecoding() async throws {
        // mjpeg.avi: 25 keyframes of 320x240x3 = 5.8 MB; h264-closedgop: 5 keyframes = 1.15 MB; limit 2 MB.
        // `probe` reads the frame index, so the keyframe count is known before decoding (keyframes alone
        // open without it and stop as the limit is reached: KeyframesOnlySpecTests).
        let (_, summary) = try await run("stages: [probe, keyframes]\nrun: {max_sample_mb: 2}\noutput: {format: directory}",
                                         ["mjpeg.avi", "h264-closedgop.mp4"])
        #expect(summary.succeeded == 1)
        #expect(summary.failures.map(\.reason) == [
            "keyframes: stage keyframes: output would reach 5 MB, over run.max_sample_mb (2); sample fewer frames or raise the limit"])
    }

    @Test func cropLargerThanTheFrameFailsTheVideo() async throws {
        let (_, summary) = try await run("""
            stages: [{resize: {shorter_side: 120, crop: [100, 150]}}, keyframes]
            """ + "\noutput: {format: directory}", ["rotated-90.mp4"])
        #expect(summary.failures.map(\.reason) == ["keyframes: stage resize: crop 150x100 does not fit the 120x160 resized picture"])
    }

    @Test func clipsCutFixedTimeWindows() async throws {
        let (output, _) = try await run("stages: [{clips: {length: 1.0, frames: 4}}]\noutput: {format: directory}", ["vfr.mp4"])
        // Expected: for each window [k, k + 1) the frames displayed at k + (j + 0.5) / 4, from ffprobe's pts.
        let times = try ffprobeFrames("vfr.mp4", "pts_time").map { Double($0[0]) ?? -1 }
        let end = times.last.map { $0 + 0.08 } ?? 0
        var expected: [[Int]] = []
        var start = times[0]
        while start + 1.0 <= end + 1e-6 {
            expected.append((0..<4).map { j in
                let t = start + (Double(j) + 0.5) / 4
                return times.lastIndex { $0 <= t + 1e-9 } ?? 0
            })
            start += 1.0
        }
        let clips = try json(output, key: 0)["clip"]
        guard case .array(let items)? = clips else { Issue.record("no clip metadata"); return }
        #expect(items.count == expected.count)
        for (c, item) in items.enumerated() {
            #expect(item.objectValue?["indices"] == .array(expected[c].map { .int($0) }))
            #expect(try npy(output, key: 0, "clip.\(FrameEncoding.number(c)).npy").shape == [4, 240, 320, 3])
        }
    }

    @Test func clipsFromManifestRangesAndColumnsCarriedIntoMetadata() async throws {
        let dir = try Fixtures.temporaryDirectory("vidi-ranges")
        let manifest = dir.appendingPathComponent("m.jsonl")
        try """
            {"path": "\(Fixtures.path("media/h264-closedgop.mp4"))", "label": "walk", "segments": [[0.0, 0.4], [1.0, 1.8]]}
            {"path": "\(Fixtures.path("media/mpeg4-part2.mp4"))", "label": "run", "segments": [[0.5, 0.1]]}
            """.write(to: manifest, atomically: true, encoding: .utf8)
        let spec = try PipelineSpec.parse(yaml: "stages: [{clips: {ranges_column: segments, frames: 2}}]\noutput: {format: directory}")
        let output = dir.appendingPathComponent("out")
        let summary = try await PipelineRunner(spec: spec, manifest: try Manifest.load(path: manifest.path),
                                               outputDirectory: output.path, options: RunOptions(workers: 1)).run()
        #expect(summary.failures.map(\.reason) == ["clips: stage clips: 'segments' holds a range that is not [start, end] with end > start"])
        let meta = try json(output, key: 0)
        #expect(meta["label"] == .string("walk"))
        // 25 fps, frames at (j + 0.5) / 2 of each range: 0.1 s -> frame 2, 0.3 s -> 7; 1.2 s -> 30, 1.6 s -> 40.
        guard case .array(let clips)? = meta["clip"] else { Issue.record("no clips"); return }
        #expect(clips.map { $0.objectValue?["indices"] } == [.array([.int(2), .int(7)]), .array([.int(30), .int(40)])])
        #expect(try npy(output, key: 0, "clip.0001.npy").shape == [2, 240, 320, 3])
    }

    @Test func motionVectorsMatchPyAV() async throws {
        let files = ["mpeg4-part2.mp4", "h264-bframes-opengop.mp4"]
        let (output, _) = try await run("stages: [motion_vectors]\noutput: {format: directory}", files)
        struct Golden: Decodable { let count: Int; let sums: [Int] }
        let golden = try JSONDecoder().decode([String: [Golden]].self,
                                              from: Data(contentsOf: URL(fileURLWithPath: Fixtures.path("golden/pipeline/motion_vectors.json"))))
        for (index, name) in files.enumerated() {
            let array = try npy(output, key: index, "mvs.npy")
            #expect(array.descr == "<i4" && array.shape.last == 11)
            let values = array.data.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
            guard let frames = golden[name] else { Issue.record("no golden for \(name)"); continue }
            var counts = [Int](repeating: 0, count: frames.count)
            var sums = [[Int]](repeating: [Int](repeating: 0, count: 10), count: frames.count)
            for row in 0..<(values.count / 11) {
                let frame = Int(values[row * 11])
                guard frame < frames.count else { Issue.record("frame index \(frame) past the end"); break }
                counts[frame] += 1
                for c in 0..<10 { sums[frame][c] += Int(values[row * 11 + 1 + c]) }
            }
            #expect(counts == frames.map(\.count), "\(name)")
            #expect(sums == frames.map(\.sums), "\(name)")
        }
    }

    @Test(arguments: [("mpeg4-part2.mp4", 8), ("h264-bframes-opengop.mp4", 16)])
    func denseMotionMatchesPyAV(name: String, cell: Int) async throws {
        let (output, _) = try await run("stages: [{dense_motion: {cell: \(cell)}}]\noutput: {format: directory}", [name])
        let maps = try npy(output, key: 0, "motion.npy")
        let golden = try NPYFormat.read(path: Fixtures.path("golden/pipeline/\(name.dropLast(4)).motion\(cell).npy"))
        #expect(maps.descr == "<f4" && golden.descr == "<f4")
        #expect(Array(maps.shape.dropFirst()) == Array(golden.shape.dropFirst()))
        let ours = maps.data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let theirs = golden.data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        var worst: Float = 0
        for i in theirs.indices { worst = max(worst, abs(ours[i] - theirs[i])) }
        // Block values are multiples of 1/4 px; cell means of up to 256 of them are exact to float rounding.
        #expect(worst <= 1e-5, "max abs diff \(worst)")
        #expect(theirs.contains { $0 != 0 }, "golden must hold motion")
    }

    @Test func mediaStageSpecErrors() {
        func error(_ yaml: String) -> String? {
            do { _ = try PipelineSpec.parse(yaml: yaml, file: "s.yaml"); return nil } catch { return "\(error)" }
        }
        let sampler = error("stages: [{frames: {sampler: {uniformly: 8}}}]")
        #expect(sampler?.hasPrefix("s.yaml:1:30: 'stages[0].frames.sampler.uniformly': unknown sampler 'uniformly' (did you mean 'uniform'?)") == true, "\(sampler ?? "")")
        #expect(error("stages: [{resize: {shorter_side: 8, width: 4, height: 4}}, keyframes]")?.contains("not both") == true)
        #expect(error("stages: [{frames: {sampler: {uniform: 8}, format: gif}}]")?.contains("'stages[0].frames.format': 'gif' is not one of npy, jpg, png") == true)
        #expect(error("stages: [{keyframes: {format: png, quality: 80}}]")?.contains("'quality' applies to format jpg only") == true)
        #expect(error("stages: [{dense_motion: {cell: -8}}]")?.contains("must be positive") == true)
        #expect(error("stages: [keyframes, {resize: {shorter_side: 8}}]")?.contains("no frame-decoding stage follows") == true)
        for spec in ["frames", "keyframes-motion", "clips", "demo"] {
            #expect(throws: Never.self) { try PipelineSpec.load(path: Fixtures.repositoryRoot.appendingPathComponent("Pipelines/\(spec).yaml").path) }
        }
    }
}

extension JSONValue {
    var objectValue: [String: JSONValue]? {
        if case .object(let object) = self { return object }
        return nil
    }
}

/// The aligned fast path must give exactly VidiMedia's `DenseMotion.perGrid` on real vectors.
@Suite struct AlignedMotionGridTests {
    @Test(arguments: ["mpeg4-part2.mp4", "h264-closedgop.mp4", "h264-bframes-opengop.mp4", "odd-321x241.mp4"])
    func equalsDenseMotionPerGrid(name: String) throws {
        let reader = try VideoReader(path: Fixtures.path("media/\(name)"))
        var aligned = 0
        for frame in try reader.motionVectors() {
            for cell in [8, 16] {
                guard let fast = try AlignedMotionGrid.map(frame, cell: cell) else { continue }
                aligned += 1
                #expect(fast == (try DenseMotion.perGrid(frame, cell: cell)), "\(name) frame \(frame.index) cell \(cell)")
            }
        }
        #expect(aligned > 0, "the fast path must apply to some frames of \(name)")
    }
}
