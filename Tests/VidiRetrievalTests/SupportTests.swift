import Foundation
import Testing
@testable import VidiRetrieval
import VidiMedia
import VidiTensor
import VidiTestSupport

struct SupportTests {
    @Test func topKEqualsAFullSortWithTiesByIndex() {
        var g = RandomGenerator(seed: 3)
        let values = (0..<1000).map { _ in Float(g.nextIndex(below: 50)) }   // many ties
        let sorted = values.indices.sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }
        for k in [1, 10, 999, 1000, 2000] { #expect(TopK.indices(values, k: k) == Array(sorted.prefix(k))) }
        #expect(TopK.indices([], k: 3).isEmpty)
    }

    @Test func syntheticClipsAreSeededAndCaptioned() {
        let a = SyntheticClips.clip(seed: 5, index: 7), b = SyntheticClips.clip(seed: 5, index: 7)
        #expect(a == b)
        #expect(a.frames.count == 12 && a.frames[0].count == 64 * 64 * 3)
        #expect(a.caption == SyntheticClips.caption(colour: a.colour, texture: a.texture, shape: a.shape, motion: a.motion))
        #expect(a.caption.hasPrefix("a \(a.colour) "))
        #expect(SyntheticClips.clip(seed: 6, index: 7) != a)
    }

    /// DRL's rawvideo_util: 1 fps, then `np.linspace(0, n - 1, max_frames).astype(int)` past max_frames.
    @Test func frameSamplingFollowsDRL() throws {
        // 75 frames at 25 fps: 1 fps gives frames 0, 25, 50; two of them at linspace(0, 2, 2) = [0, 2].
        let info = try VideoReader(path: Fixtures.path("media/h264-bframes-opengop.mp4")).info
        #expect(try MediaInput.frameIndices(info, maxFrames: 12, fps: 1) == [0, 25, 50])
        #expect(try MediaInput.frameIndices(info, maxFrames: 2, fps: 1) == [0, 50])
        #expect(try MediaInput.frameIndices(info, maxFrames: 1, fps: 1) == [0])
        #expect(throws: RetrievalError.self) { try MediaInput.frameIndices(info, maxFrames: 0, fps: 1) }
    }

    @Test func msrvttCaptionsParse() throws {
        let dir = try Fixtures.temporaryDirectory("vidi-captions")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("c.json").path
        try CaptionedVideos.write([("v1", "a cat"), ("v2", "a dog")], to: path)
        let c = try CaptionedVideos(path: path)
        #expect(c.videoIds == ["v1", "v2"] && c.captions["v2"] == ["a dog"])
        try Data("{\"sentences\": [{\"video_id\": \"x\", \"caption\": \"y\"}, {\"video_id\": \"x\", \"caption\": \"z\"}]}".utf8)
            .write(to: URL(fileURLWithPath: path))
        #expect(try CaptionedVideos(path: path).captions["x"] == ["y", "z"])
        try Data("[1, 2]".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: RetrievalError.self) { try CaptionedVideos(path: path) }
    }

    /// One training step on the golden features moves the DRL head and keeps DRL's key names.
    @Test func headTrainingStepChangesWeightsAndKeepsKeys() throws {
        let model = try InteractionGoldenTests.model("train", width: 12)
        let (text, video) = try InteractionGoldenTests.features("train")
        let before = model.stateDict()
        let optimizer = try AdamW(model.parameters, learningRate: 1e-3)
        let loss = try model.loss(text: text, video: video, interaction: .wti)
        model.zeroGrad()
        try loss.backward()
        try optimizer.step()
        let after = model.stateDict()
        #expect(Set(after.keys) == Set(before.keys))
        #expect(after.keys.contains("text_weight_fc.0.weight") && after.keys.contains("clip.logit_scale"))
        #expect(after["video_weight_fc.2.weight"]!.scalars != before["video_weight_fc.2.weight"]!.scalars)
    }
}
