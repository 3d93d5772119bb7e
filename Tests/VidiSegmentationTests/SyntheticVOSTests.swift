import Foundation
import Testing
import VidiMedia
import VidiSegmentation
import VidiTestSupport

/// `vidi synth vos` data: invariants checked against the plan (object ids, determinism) and against
/// FFmpeg's own reading of the written video (frame count and size).
@Suite struct SyntheticVOSTests {
    let options = SyntheticVOSOptions(width: 64, height: 48, frames: 6, objects: 2...3, distractors: 2)

    @Test func sameSeedSamePixelsOtherSeedOtherPixels() throws {
        let a = try SyntheticVOSSequence(options: options, seed: 7, index: 1)
        let b = try SyntheticVOSSequence(options: options, seed: 7, index: 1)
        let c = try SyntheticVOSSequence(options: options, seed: 8, index: 1)
        #expect(a.render(frame: 3).rgb == b.render(frame: 3).rgb)
        #expect(a.render(frame: 3).mask == b.render(frame: 3).mask)
        #expect(a.render(frame: 3).rgb != c.render(frame: 3).rgb)
    }

    @Test func masksHoldOnlyObjectIdsAndTheFirstFrameShowsEveryObject() throws {
        for index in 0..<4 {
            let sequence = try SyntheticVOSSequence(options: options, seed: 11, index: index)
            #expect(options.objects.contains(sequence.objectCount))
            for t in 0..<options.frames {
                #expect(sequence.render(frame: t).mask.maxLabel() <= sequence.objectCount)
            }
            // Objects start inside the frame; occlusion may hide one, but most must be visible at t = 0.
            let visible = Set(sequence.render(frame: 0).mask.labels).subtracting([0]).count
            #expect(visible >= 1)
        }
    }

    @Test func writesAnH264VideoAndOnePalettePNGPerFrame() throws {
        let root = try Fixtures.temporaryDirectory("synth-vos").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let names = try SyntheticVOSWriter(root: root, options: options, seed: 5).write(count: 2, set: "train")
        #expect(try DavisDataset(root: root, set: "train").sequences() == names)
        let reader = try VideoReader(path: "\(root)/videos/\(names[0]).mp4")
        #expect(reader.info.frameCount == 6 && reader.info.width == 64 && reader.info.height == 48)
        #expect(reader.info.codec == "h264")
        let ids = try DavisDataset(root: root, set: "train").frameIDs(of: names[1])
        #expect(ids == ["00000", "00001", "00002", "00003", "00004", "00005"])
        let expected = try SyntheticVOSSequence(options: options, seed: 5, index: 1).render(frame: 4).mask
        #expect(try IndexedPNG.read(path: "\(root)/Annotations/480p/\(names[1])/00004.png") == expected)
    }
}
