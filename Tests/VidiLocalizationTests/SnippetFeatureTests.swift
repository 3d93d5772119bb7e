import Foundation
import Testing
import VidiLocalization
import VidiMedia
import VidiMediaTensors
import VidiNN
import VidiTensor
import VidiTestSupport

/// Snippet features (`vidi features`): positions checked by hand, features equal to the backbone applied
/// to the same model-ready frames directly, and a golden from PyTorch.
@Suite struct SnippetFeatureTests {
    static let video = Fixtures.path("media/h264-closedgop.mp4")  // 50 frames, 320 x 240, 25 fps
    static let weights = Fixtures.path("golden/localization/features/resnet18_w16.safetensors")

    // MARK: positions

    @Test func snippetPositionsByHand() throws {
        // 50 frames, stride 12, window 8: full windows start at 0, 12, 24, 36 (the last ends at 44);
        // frames 44-49 would be left out, and 48 < 50, so a partial window [48, 50) is added.
        let a = try SnippetLayout(frameCount: 50, stride: 12, window: 8)
        #expect(a.count == 5)
        #expect((0..<5).map { a.frames(ofSnippet: $0) } == [0..<8, 12..<20, 24..<32, 36..<44, 48..<50])
        #expect(a.clip(ofSnippet: 4) == [48, 49, 49, 49, 49, 49, 49, 49])
        #expect((0..<5).map { a.isPartial($0) } == [false, false, false, false, true])
        // 10 frames, stride 2, window 4: starts 0, 2, 4, 6; the last ends exactly at 10, no partial window.
        let b = try SnippetLayout(frameCount: 10, stride: 2, window: 4)
        #expect(b.count == 4 && b.frames(ofSnippet: 3) == 6..<10 && !b.isPartial(3))
        // 11 frames: frame 10 is uncovered, so a partial window starts at 8: frames 8, 9, 10, then 10 again.
        let c = try SnippetLayout(frameCount: 11, stride: 2, window: 4)
        #expect(c.count == 5 && c.frames(ofSnippet: 4) == 8..<11 && c.clip(ofSnippet: 4) == [8, 9, 10, 10])
        // Shorter than one window: one partial snippet of every frame.
        let d = try SnippetLayout(frameCount: 3, stride: 8, window: 16)
        #expect(d.count == 1 && d.frames(ofSnippet: 0) == 0..<3 && d.clip(ofSnippet: 0).count == 16)
        // Stride past the window skips frames on purpose: starts 0, 5, 10, 15; the next start (20) is past the end.
        let e = try SnippetLayout(frameCount: 20, stride: 5, window: 2)
        #expect(e.count == 4 && e.frames(ofSnippet: 3) == 15..<17)
        // Feature i's centre in seconds is (i * stride + window / 2) / fps.
        #expect(try a.grid(fps: 25).centre(ofFeature: 4) == (48.0 + 4) / 25)
        #expect(throws: LocalizationError.self) { try SnippetLayout(frameCount: 0, stride: 1, window: 1) }
        #expect(throws: LocalizationError.self) { try SnippetLayout(frameCount: 5, stride: 0, window: 1) }
    }

    // MARK: against the backbone on the same frames

    @Test func imageFeaturesAverageTheBackboneOverEachWindow() throws {
        // Stride 6 < window 10: windows overlap, also across batches of 3 snippets (frames embedded by one
        // batch are reused by the next); full windows at 0, 6, ..., 36 (the last ends at 46), then a partial
        // one at 42: 8 snippets.
        let extractor = try SnippetFeatureExtractor(weights: Self.weights, stride: 6, window: 10, resize: 40, crop: 32, batch: 3)
        let reader = try VideoReader(path: Self.video)
        let got = try extractor.extract(reader)
        #expect(got.features.shape == [8, 16])
        let layout = try SnippetLayout(frameCount: 50, stride: 6, window: 10)
        #expect(layout.frames(ofSnippet: 7) == 42..<50)
        let embedder = try ResNetEmbedder(path: Self.weights)
        let values = try got.features.toArray(Float.self)
        for i in 0..<layout.count {
            let frames = Array(layout.frames(ofSnippet: i))
            let input = try reader.modelInputTensor(ModelInputRequest(frames: .clips([frames]), resize: .shorterSide(40),
                                                                      crop: .center(width: 32, height: 32), normalization: .imageNet))
            let want = try embedder.embed(input).mean(axes: [0]).toArray(Float.self)
            let row = Array(values[(i * 16)..<((i + 1) * 16)])
            #expect(zip(row, want).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) }, "snippet \(i)")
        }
        let s = got.sidecar
        #expect(s == FeatureSidecar(fps: 25, stride: 6, window: 10, frames: 50, duration: 2, dimension: 16, snippets: 8,
                                    backbone: "resnet18", weights: "resnet18_w16.safetensors", resize: 40, crop: 32))
    }

    @Test(arguments: [VideoResNet.Variant.r2plus1d18, .r3d18])
    func videoFeaturesAreTheBackboneOnEachClip(variant: VideoResNet.Variant) throws {
        let dir = try Fixtures.temporaryDirectory("vidi-snippets")
        let path = dir.appendingPathComponent("video.safetensors").path
        var generator = RandomGenerator(seed: 5)
        let network = VideoResNet(.init(variant, widths: [4, 8, 8, 12], stemMidChannels: 6, classes: 3), generator: &generator)
        try network.saveStateDict(to: path)
        network.eval()

        // 50 frames, stride 16, window 6: clips at 0, 16, 32 (ends 38), then a partial one at 48 (48, 49, 49, ...).
        let extractor = try SnippetFeatureExtractor(weights: path, stride: 16, window: 6, resize: 36, crop: 32, batch: 3)
        #expect(extractor.backbone.takesClips && extractor.backbone.dimension == 12)
        #expect(extractor.backbone.architecture == (variant == .r3d18 ? "r3d_18" : "r2plus1d_18"))
        let reader = try VideoReader(path: Self.video)
        let got = try extractor.extract(reader)
        #expect(got.features.shape == [4, 12])
        let layout = try SnippetLayout(frameCount: 50, stride: 16, window: 6)
        let clips = (0..<layout.count).map { layout.clip(ofSnippet: $0) }
        #expect(clips[3] == [48, 49, 49, 49, 49, 49])
        let input = try reader.modelInputTensor(ModelInputRequest(frames: .clips(clips), resize: .shorterSide(36), crop: .center(width: 32, height: 32),
                                                                  layout: .cthw, normalization: .kinetics))
        let want = try withNoGrad { try network.features(input)[3].mean(axes: [2, 3, 4]) }.toArray(Float.self)
        let values = try got.features.toArray(Float.self)
        #expect(zip(values, want).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
    }

    // MARK: against PyTorch

    /// Tools/localization/make_feature_goldens.py: torchvision's ResNet code (resnet18 at widths 8-16, seeded
    /// random weights) on frames decoded by the ffmpeg CLI and resized by torchvision, averaged per snippet.
    /// Vidi resizes in the decoder's YUV planes, the reference in RGB (pixels differ by about a level, see
    /// ModelInputGoldenTests), so features agree to 0.01 absolute (seen: 0.0013; features' std 0.28).
    @Test func featuresMatchTorchvision() throws {
        let golden = try Tensor.readNPY(path: Fixtures.path("golden/localization/features/closedgop_s12_w8.npy"))
        let extractor = try SnippetFeatureExtractor(weights: Self.weights, stride: 12, window: 8, resize: 40, crop: 32)
        let got = try extractor.extract(VideoReader(path: Self.video)).features
        #expect(got.shape == golden.shape)
        let (a, b) = (try got.toArray(Float.self), try golden.toArray(Float.self))
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 0.01, "max |vidi - torchvision| = \(worst)")
    }

    /// Tools/localization/make_feature_goldens.py: torchvision's own video ResNet code (`VideoResNet`,
    /// `BasicBlock`, `Conv2Plus1D` / `Conv3DSimple`, `_make_layer`; widths 4-16, seeded random weights) on each
    /// snippet's frames as one clip (ffmpeg CLI frames, torchvision resize, Kinetics mean/std; the partial last
    /// window repeats its last frame). Same pixel-level tolerance as the image golden above.
    @Test(arguments: ["r2plus1d18", "r3d18"])
    func videoFeaturesMatchTorchvision(architecture: String) throws {
        let golden = try Tensor.readNPY(path: Fixtures.path("golden/localization/features/closedgop_\(architecture)_s12_w8.npy"))
        let weights = Fixtures.path("golden/localization/features/\(architecture)_w16.safetensors")
        let extractor = try SnippetFeatureExtractor(weights: weights, stride: 12, window: 8, resize: 40, crop: 32)
        #expect(extractor.backbone.takesClips)
        #expect(extractor.backbone.architecture == (architecture == "r3d18" ? "r3d_18" : "r2plus1d_18"))
        let got = try extractor.extract(VideoReader(path: Self.video)).features
        #expect(got.shape == golden.shape && golden.shape == [5, 16])
        let (a, b) = (try got.toArray(Float.self), try golden.toArray(Float.self))
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 0.01, "max |vidi - torchvision| = \(worst)")
    }

    // MARK: errors and the sidecar

    @Test func weightsOfAnotherModelAreAClearError() throws {
        let dir = try Fixtures.temporaryDirectory("vidi-snippets")
        let path = dir.appendingPathComponent("linear.safetensors").path
        var generator = RandomGenerator(seed: 1)
        try Linear(4, 2, generator: &generator).saveStateDict(to: path)
        #expect {
            try SnippetBackbone(path: path)
        } throws: { error in
            "\(error)".contains("neither a torchvision ResNet") && "\(error)".hasPrefix(path)
        }
        #expect(throws: LocalizationError.self) { try SnippetBackbone(path: dir.appendingPathComponent("missing.safetensors").path) }
        #expect(throws: LocalizationError.self) {
            try SnippetFeatureExtractor(weights: Self.weights, stride: 4, window: 8, resize: 32, crop: 40)
        }
    }

    @Test func sidecarRoundTripsAndRejectsBadFields() throws {
        let dir = try Fixtures.temporaryDirectory("vidi-snippets")
        let path = dir.appendingPathComponent("v.json").path
        let sidecar = FeatureSidecar(fps: 29.97, stride: 8, window: 16, frames: 300, duration: 10.01, dimension: 512, snippets: 36,
                                     backbone: "r2plus1d_18", weights: "r.safetensors", resize: 128, crop: 112)
        try sidecar.write(to: path)
        #expect(try FeatureSidecar.read(path: path) == sidecar)
        #expect(try sidecar.grid() == FeatureGrid(stride: 8, window: 16, fps: 29.97))
        #expect(FeatureSidecar.path(forFeatures: "/a/b/v.npy") == "/a/b/v.json")
        try Data(#"{"fps": 25, "stride": 0, "window": 4, "frames": 1, "duration": 1, "dimension": 2, "snippets": 1}"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        #expect(throws: LocalizationError.self) { try FeatureSidecar.read(path: path) }
        try Data(#"{"fps": "fast"}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: LocalizationError.self) { try FeatureSidecar.read(path: path) }
    }
}
