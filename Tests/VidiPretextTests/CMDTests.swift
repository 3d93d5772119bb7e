import Testing
import VidiMedia
import VidiPretext
import VidiRandom
import VidiTestSupport

/// Expected values come from reference/pretext.md's CMD layout (16 frames at stride 4, 8 motion frames
/// starting 2 after the clip, 3 non-overlapping negatives, an I-frame within +-5 frames, maps clamped to
/// [-10, 10] / 10) and from the fixtures' known motion: `Tools/make-pretext-fixtures.sh` pans a window
/// 2 px right and 1 px down per frame, so dst - src is (-2, -1) (checked with PyAV's exported vectors).
@Suite struct CMDTests {
    @Test(arguments: [0, 1, 2, 3, 4, 5, 6, 7])
    func layoutFollowsTheReference(seed: Int) throws {
        let sampler = try CMDSampler()
        let intra = Array(stride(from: 0, to: 200, by: 12))
        var random = RandomGenerator(seed: UInt64(seed))
        let layout = try sampler.layout(frameCount: 200, intraFrames: intra, random: &random)
        let s = layout.clip[0]
        #expect(layout.clip == (0..<16).map { s + 4 * $0 })
        #expect(layout.motion == Array((s + 62)..<(s + 70)))
        #expect(layout.motion.last! < 200)
        #expect(layout.negatives.count == 3)
        var windows = [layout.motion]
        for negative in layout.negatives {
            #expect(negative.count == 8 && negative == Array(negative[0]..<(negative[0] + 8)) && negative.last! < 200)
            #expect(windows.allSatisfy { Set($0).isDisjoint(with: negative) })
            windows.append(negative)
        }
        #expect(intra.contains(layout.keyframe))
        #expect(layout.keyframe >= s - 5 && layout.keyframe <= s + 60 + 5)
    }

    @Test func tooShortOrKeyframelessIsAnError() throws {
        var random = RandomGenerator(seed: 0)
        #expect(throws: PretextError.self) { _ = try CMDSampler().layout(frameCount: 69, intraFrames: [0], random: &random) }
        #expect(throws: PretextError.self) { _ = try CMDSampler().layout(frameCount: 100, intraFrames: [99], random: &random) }
    }

    static func median(_ values: [Float]) -> Float { values.sorted()[values.count / 2] }

    /// Per motion frame that is a P-frame: the median of dx and dy over the map.
    static func medians(_ sample: CMDSample, maps: [Float], indices: [Int]) -> [(Float, Float)] {
        let size = 112 * 112 * 2
        return indices.enumerated().filter { $0.element % 12 != 0 }.map { (m, _) in
            let map = maps[(m * size)..<((m + 1) * size)]
            return (median(stride(from: map.startIndex, to: map.endIndex, by: 2).map { map[$0] }),
                    median(stride(from: map.startIndex + 1, to: map.endIndex, by: 2).map { map[$0] }))
        }
    }

    @Test(arguments: ["media/pan-mpeg4.mp4", "media/pan-h264.mp4"])
    func motionMapsOnKnownPan(file: String) throws {
        for (flip, expectedDX) in [(FlipMode.off, Float(-0.2)), (.on, 0.2), (.official, -0.2)] {
            var c = CMDConfiguration()
            c.flip = flip
            let sampler = try CMDSampler(c)
            let reader = try VideoReader(path: Fixtures.path(file))
            var random = RandomGenerator(seed: 3)
            let sample = try sampler.sample(reader, random: &random)
            #expect(sample.clip.count == 16 * 112 * 112 * 3 && sample.keyframe.count == 112 * 112 * 3)
            #expect(sample.motion.count == 8 * 112 * 112 * 2 && sample.negatives.count == 3 * 8 * 112 * 112 * 2)
            #expect(sample.layout.keyframe % 12 == 0, "keyframes of a GOP-12 file are multiples of 12")
            #expect(flip == .off ? !sample.flipped : sample.flipped || flip == .official)
            let dx = sample.flipped ? expectedDX : Float(-0.2)
            for (mx, my) in Self.medians(sample, maps: sample.motion, indices: sample.layout.motion) + Self.medians(sample, maps: sample.negatives, indices: sample.layout.negatives.flatMap { $0 }) {
                #expect(abs(mx - dx) < 1e-5 && abs(my - -0.1) < 1e-5, "\(file) flip \(flip): median (\(mx), \(my))")
            }
            #expect(sample.motion.allSatisfy { $0 >= -1 && $0 <= 1 })
        }
    }

    /// MPEG-4 Part 2's I-frames carry no vectors: their maps are all zero.
    @Test func intraFramesHaveZeroMaps() throws {
        var c = CMDConfiguration()
        c.flip = .off
        let reader = try VideoReader(path: Fixtures.path("media/pan-mpeg4.mp4"))
        var random = RandomGenerator(seed: 1)
        let sample = try CMDSampler(c).sample(reader, random: &random)
        let size = 112 * 112 * 2
        for (m, index) in sample.layout.motion.enumerated() where index % 12 == 0 {
            #expect(sample.motion[(m * size)..<((m + 1) * size)].allSatisfy { $0 == 0 })
        }
    }

    @Test func randomResizedCropStaysInside() throws {
        let sampler = try CMDSampler()
        var random = RandomGenerator(seed: 8)
        for _ in 0..<200 {
            let box = sampler.randomResizedCrop(width: 160, height: 128, random: &random)
            #expect(box.x >= 0 && box.y >= 0 && box.x + box.width <= 160 && box.y + box.height <= 128)
            let area = Double(box.width * box.height) / Double(160 * 128)
            #expect(area >= 0.18 && area <= 1.0)
        }
    }
}
