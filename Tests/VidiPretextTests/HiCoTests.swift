import Testing
import VidiMedia
import VidiPretext
import VidiRandom
import VidiTestSupport

/// Expected values come from reference/pretext.md's HiCo sampling rules: d = d_min + (d_max - d_min) x
/// clamp(progress, 0, 1) with d from 0 to 1 s, c0 and c2 in [T_c, duration - T_c], |c1 - c0| <= d.
@Suite struct HiCoTests {
    @Test func distanceFollowsTheGradualSchedule() throws {
        let sampler = try HiCoSampler()
        for (progress, d) in [(0.0, 0.0), (0.25, 0.25), (0.5, 0.5), (1.0, 1.0), (3.0, 1.0)] {
            #expect(abs(sampler.distance(progress: progress) - d) < 1e-12)
        }
        var c = HiCoConfiguration()
        c.minimumDistance = 0.5
        c.maximumDistance = 4
        #expect(abs((try HiCoSampler(c)).distance(progress: 0.5) - 2.25) < 1e-12)
    }

    @Test(arguments: [0.0, 0.1, 0.4, 0.75, 1.0])
    func centresObeyTheScheduleAndBounds(progress: Double) throws {
        let sampler = try HiCoSampler()
        let tc = 16.0 * 4 / 30
        var random = RandomGenerator(seed: UInt64(progress * 100))
        var widest = 0.0
        for _ in 0..<500 {
            let c = try sampler.centres(duration: 60, progress: progress, random: &random)
            #expect(abs(c.lowest - tc) < 1e-12 && abs(c.highest - (60 - tc)) < 1e-12)
            #expect(c.centres.allSatisfy { $0 >= tc && $0 <= 60 - tc })
            #expect(abs(c.centres[1] - c.centres[0]) <= progress + 1e-9)
            widest = max(widest, abs(c.centres[1] - c.centres[0]))
        }
        // The close pair uses the room it is given (half of d at least once in 500 draws).
        #expect(widest >= progress / 2)
    }

    /// Videos shorter than 2 T_c: every centre is the middle, frame indices stay inside the video.
    @Test(arguments: [0.3, 2.0, 4.2])
    func shortVideosStayInBounds(duration: Double) throws {
        let sampler = try HiCoSampler()
        var random = RandomGenerator(seed: 1)
        let c = try sampler.centres(duration: duration, progress: 1, random: &random)
        #expect(c.centres.allSatisfy { $0 >= 0 && $0 <= duration })
        #expect(c.centres.allSatisfy { abs($0 - duration / 2) < 1e-9 })
    }

    /// A 2-second fixture (50 frames at 25 fps): decoded indices in bounds, 3 x 16 x 112 x 112 x 3 bytes.
    @Test func sampleOnAShortVideo() throws {
        let reader = try VideoReader(path: Fixtures.path("media/h264-closedgop.mp4"))
        var random = RandomGenerator(seed: 2)
        let sample = try HiCoSampler().sample(reader, progress: 0.5, random: &random)
        #expect(sample.frameIndices.count == 3 && sample.frameIndices.allSatisfy { $0.count == 16 })
        #expect(sample.frameIndices.joined().allSatisfy { (0..<reader.info.frameCount).contains($0) })
        #expect(sample.pixels.count == 3 * 16 * 112 * 112 * 3)
        // The clip (2.13 s) is longer than the video: centred, clamped at the start, never going backwards
        // and at most 4 frames (4 / 30 s at 25 fps, rounded up) apart.
        for clip in sample.frameIndices { #expect(zip(clip, clip.dropFirst()).allSatisfy { (0...4).contains($1 - $0) }) }
        // Centred at 1 s: the first time (-0.07 s) clamps to frame 0, the last (1.93 s) is frame 48.
        #expect(sample.frameIndices.allSatisfy { $0.first == 0 && $0.last == 48 })
    }

    /// On the 3.6 s pan fixture (90 frames at 25 fps) the frame step is 4 / 30 s = 3.33 frames.
    @Test func clipFramesAreStrideFourAtThirtyFPS() throws {
        let reader = try VideoReader(path: Fixtures.path("media/pan-h264.mp4"))
        let sampler = try HiCoSampler()
        let indices = sampler.frameIndices(centre: 1.8, info: reader.info)
        // Times 1.8 - 32/30 + k x 4/30 s, frame = floor(t x 25).
        let expected: [Int] = (0..<16).map { k in
            let seconds: Double = 1.8 - 32.0 / 30 + Double(k) * 4.0 / 30
            return Int((seconds * 25 + 1e-9).rounded(.down))
        }
        #expect(indices == expected)
    }

    @Test func badInputIsAnError() throws {
        var random = RandomGenerator(seed: 0)
        #expect(throws: PretextError.self) { _ = try HiCoSampler().centres(duration: 0, progress: 0.5, random: &random) }
        #expect(throws: PretextError.self) { _ = try HiCoSampler().centres(duration: 10, progress: .nan, random: &random) }
    }
}
