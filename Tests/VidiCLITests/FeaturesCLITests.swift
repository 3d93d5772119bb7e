import Foundation
import VidiLocalization
import Testing
import VidiTensor
import VidiTestSupport

/// `vidi features` and `vidi localize` on videos: files, sidecars, failures, and the same predictions from
/// videos (`--backbone`) as from the features `vidi features` wrote. The backbone is the torchvision
/// golden's resnet18 (16-d, random weights), the localizer the bundled synthetic RCL model (16 channels).
@Suite struct FeaturesCLITests {
    static let weights = Fixtures.path("golden/localization/features/resnet18_w16.safetensors")
    static let model = BundledLocalization.modelPath!
    static let snippetFlags = ["--stride", "8", "--window", "16", "--resize", "40", "--size", "32"]

    @Test func writesFeaturesAndSidecarsAndReportsBadVideos() throws {
        let dir = try Fixtures.temporaryDirectory("vidi-features")
        let output = try VidiCLI.run(["features", VidiCLI.fixture("h264-closedgop.mp4"), VidiCLI.fixture("bad-random.mp4"),
                                      VidiCLI.fixture("pan-h264.mp4"), "--weights", Self.weights, "--out", dir.path] + Self.snippetFlags)
        #expect(output.status == 1)
        let errors = VidiCLI.errorLines(output)
        #expect(errors.contains { $0.contains("bad-random.mp4") })
        #expect(errors.last == "vidi: features: 1 of 3 videos failed")
        // pan-h264.mp4 has 90 frames: full windows at 0, 8, ..., 72 (ends 88), then a partial one at 80 → 11.
        let pan = try Tensor.readNPY(path: dir.appendingPathComponent("pan-h264.npy").path)
        #expect(pan.shape == [11, 16])
        let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("pan-h264.json"))) as? [String: Any]
        #expect(sidecar?["snippets"] as? Int == 11 && sidecar?["frames"] as? Int == 90 && sidecar?["stride"] as? Int == 8)
        #expect(sidecar?["window"] as? Int == 16 && sidecar?["fps"] as? Double == 25 && sidecar?["backbone"] as? String == "resnet18")
        #expect(sidecar?["weights"] as? String == "resnet18_w16.safetensors" && sidecar?["dimension"] as? Int == 16)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad-random.npy").path))
    }

    @Test func localizingVideosEqualsLocalizingTheirFeatures() throws {
        let dir = try Fixtures.temporaryDirectory("vidi-features")
        let videos = [VidiCLI.fixture("h264-closedgop.mp4"), VidiCLI.fixture("pan-h264.mp4")]
        let made = try VidiCLI.run(["features"] + videos + ["--weights", Self.weights, "--out", dir.path] + Self.snippetFlags)
        #expect(made.status == 0, "\(made.stderr)")
        let fromVideos = dir.appendingPathComponent("videos.json").path, fromFeatures = dir.appendingPathComponent("features.json").path
        let a = try VidiCLI.run(["localize", "--model", Self.model, "--backbone", Self.weights, "--out", fromVideos] + videos + Self.snippetFlags)
        #expect(a.status == 0, "\(a.stderr)")
        let npys = ["h264-closedgop", "pan-h264"].map { dir.appendingPathComponent("\($0).npy").path }
        let b = try VidiCLI.run(["localize", "--model", Self.model, "--out", fromFeatures] + npys)
        #expect(b.status == 0, "\(b.stderr)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fromVideos))
        #expect(bytes == (try Data(contentsOf: URL(fileURLWithPath: fromFeatures))))
        let results = try #require((try JSONSerialization.jsonObject(with: bytes) as? [String: Any])?["results"] as? [String: [[String: Any]]])
        #expect(Set(results.keys) == ["h264-closedgop", "pan-h264"])
        // Segments are in seconds inside the video (pan-h264: 90 frames at 25 fps = 3.6 s).
        let segments = try #require(results["pan-h264"]).compactMap { $0["segment"] as? [Double] }
        #expect(!segments.isEmpty && segments.allSatisfy { $0[0] >= 0 && $0[1] <= 3.6 + 1e-9 && $0[0] < $0[1] })

        // The sidecar is what placed them: the same file without it and without flags is on a 1-fps grid.
        let sidecar = dir.appendingPathComponent("pan-h264.json")
        let sidecarBytes = try Data(contentsOf: sidecar)
        try FileManager.default.removeItem(at: sidecar)
        let c = try VidiCLI.run(["localize", "--model", Self.model, "--out", fromFeatures, npys[1]])
        #expect(c.status == 0)
        #expect(try ends(fromFeatures).max() ?? 0 > 5)
        // With the sidecar back, an explicit flag wins: at --fps 50 every segment ends by grid.seconds(11) =
        // (10.5 * 8 + 8) / 50 = 1.84 s, where at the sidecar's 25 fps they reach 3.6 s.
        try sidecarBytes.write(to: sidecar)
        #expect(segments.map { $0[1] }.max() ?? 0 > 1.84)
        let d = try VidiCLI.run(["localize", "--model", Self.model, "--out", fromFeatures, npys[1], "--fps", "50"])
        #expect(d.status == 0)
        let flagged = try ends(fromFeatures)
        #expect(!flagged.isEmpty && flagged.allSatisfy { $0 <= 1.84 + 1e-9 })
    }

    /// `--backbone` with `--gt`: the videos of the subset give the same predictions and mAP as their features
    /// from `vidi features` scored with `--features --gt`; a video outside the subset is skipped with a note,
    /// and a subset video missing from the arguments is an error that says what to do.
    @Test func videosWithGroundTruthScoreLikeTheirFeatures() throws {
        let dir = try Fixtures.temporaryDirectory("vidi-features")
        let videos = [VidiCLI.fixture("h264-closedgop.mp4"), VidiCLI.fixture("pan-h264.mp4")]
        let gt = dir.appendingPathComponent("gt.json").path
        // Durations shorter than the videos (2 s and 3.6 s), so clipping by the ground truth's duration shows.
        try Data("""
            {"database": {
              "h264-closedgop": {"subset": "validation", "duration": 1.5, "annotations": [{"segment": [0.2, 1.1], "label": "action0"}]},
              "pan-h264": {"subset": "validation", "duration": 3.0, "annotations": [{"segment": [0.5, 2.5], "label": "action2"}]},
              "elsewhere": {"subset": "training", "duration": 9, "annotations": [{"segment": [1, 2], "label": "action1"}]}}}
            """.utf8).write(to: URL(fileURLWithPath: gt))
        let featureDir = dir.appendingPathComponent("features").path
        let made = try VidiCLI.run(["features"] + videos + ["--weights", Self.weights, "--out", featureDir] + Self.snippetFlags)
        #expect(made.status == 0, "\(made.stderr)")
        let fromFeatures = dir.appendingPathComponent("features.json").path, fromVideos = dir.appendingPathComponent("videos.json").path
        let a = try VidiCLI.run(["localize", "--model", Self.model, "--features", featureDir, "--gt", gt, "--out", fromFeatures])
        #expect(a.status == 0, "\(a.stderr)")
        // The extra video is not in the validation subset: skipped, not an error.
        let b = try VidiCLI.run(["localize", "--model", Self.model, "--backbone", Self.weights, "--gt", gt, "--out", fromVideos]
                                + videos + [VidiCLI.fixture("mjpeg.mp4")] + Self.snippetFlags)
        #expect(b.status == 0, "\(b.stderr)")
        #expect(VidiCLI.errorLines(b).contains { $0.contains("skipping 1 videos not in subset 'validation'") && $0.contains("mjpeg") })
        let mAP = { (text: String) in text.split(separator: "\n").filter { $0.hasPrefix("mAP(%)") || $0.hasPrefix("tIoU") } }
        #expect(!mAP(a.text).isEmpty && mAP(a.text) == mAP(b.text), "\(a.text)\n\(b.text)")
        #expect(b.text.contains("on 2 videos"))
        let (p, q) = (try segments(fromFeatures), try segments(fromVideos))
        #expect(p.count == q.count && !p.isEmpty)
        #expect(zip(p, q).allSatisfy { $0.id == $1.id && $0.label == $1.label && abs($0.start - $1.start) < 1e-6 && abs($0.end - $1.end) < 1e-6 })
        #expect(q.allSatisfy { $0.end <= ($0.id == "pan-h264" ? 3.0 : 1.5) + 1e-9 })

        let missing = try VidiCLI.run(["localize", "--model", Self.model, "--backbone", Self.weights, "--gt", gt, videos[0]] + Self.snippetFlags)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("have no video file among the arguments") && missing.stderr.contains("pan-h264"), "\(missing.stderr)")
        let both = try VidiCLI.run(["localize", "--model", Self.model, "--backbone", Self.weights, "--features", featureDir, "--gt", gt] + videos)
        #expect(both.status != 0 && both.stderr.contains("--features and --backbone"), "\(both.stderr)")
    }

    /// (video, label, start, end) of every prediction, sorted, so two files compare regardless of order.
    func segments(_ path: String) throws -> [(id: String, label: String, start: Double, end: Double)] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        let results = object?["results"] as? [String: [[String: Any]]] ?? [:]
        return results.flatMap { id, list in
            list.compactMap { p -> (id: String, label: String, start: Double, end: Double)? in
                guard let s = p["segment"] as? [Double], s.count == 2, let label = p["label"] as? String else { return nil }
                return (id, label, s[0], s[1])
            }
        }.sorted { ($0.id, $0.label, $0.start, $0.end) < ($1.id, $1.label, $1.start, $1.end) }
    }

    /// Every segment end in a prediction file.
    func ends(_ path: String) throws -> [Double] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        let results = object?["results"] as? [String: [[String: Any]]] ?? [:]
        return results.values.flatMap { $0.compactMap { ($0["segment"] as? [Double])?.last } }
    }

    @Test func aBackboneOfTheWrongWidthIsRefusedBeforeAnyVideo() throws {
        let output = try VidiCLI.run(["localize", "--model", Self.model, "--backbone", Fixtures.path("golden/nn/resnet18_w8.safetensors"),
                                      VidiCLI.fixture("h264-closedgop.mp4")])
        #expect(output.status == 1)
        #expect(VidiCLI.errorLines(output).first?.contains("64-d features but the model expects 16") == true, "\(output.stderr)")
    }
}
