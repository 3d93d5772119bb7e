import Foundation
import Testing
import VidiMedia

@Suite struct FrameSamplerTests {
    @Test func uniformTakesSegmentCentres() throws {
        let info = try VideoReader(path: media("h264-closedgop.mp4")).info  // 50 frames (ffprobe)
        // floor((2k + 1) * 50 / 8), k = 0..3
        #expect(try FrameSampler.uniform(count: 4).indices(for: info) == [6, 18, 31, 43])
        #expect(try FrameSampler.uniform(count: 1).indices(for: info) == [25])
        let many = try FrameSampler.uniform(count: 120).indices(for: info)
        #expect(many.count == 120 && many == many.sorted() && Set(many).count == 50)
    }

    @Test func everyStep() throws {
        let info = try VideoReader(path: media("h264-closedgop.mp4")).info
        #expect(try FrameSampler.every(step: 12).indices(for: info) == [0, 12, 24, 36, 48])
        #expect(throws: MediaError.self) { try FrameSampler.every(step: 0).indices(for: info) }
    }

    @Test func fpsFollowsTimestampsOnVFR() throws {
        let path = media("vfr.mp4")
        let info = try VideoReader(path: path).info
        let probed = try FFmpegReference.frames(path).map(\.timestamp)
        // Expected from ffprobe's timestamps: the last frame whose pts <= t, for t = k / 10 below the end.
        let indices = try FrameSampler.fps(10).indices(for: info)
        var expected: [Int] = []
        var k = 0
        while Double(k) / 10 < info.endTime {
            let t = Double(k) / 10
            if let i = probed.lastIndex(where: { $0 <= t + 1e-9 }) { expected.append(i) }
            k += 1
        }
        #expect(indices == expected)
        // 25 fps over the 40 ms part takes every frame, over the 80 ms part repeats each frame.
        let dense = try FrameSampler.fps(25).indices(for: info)
        #expect(Array(dense.prefix(20)) == Array(0..<20))
        #expect(Array(dense[20..<26]) == [20, 20, 21, 21, 22, 22])
    }

    @Test func segmentsAreSeededAndStayInTheirSegment() throws {
        let info = try VideoReader(path: media("h264-bframes-opengop.mp4")).info  // 75 frames
        let a = try FrameSampler.segments(count: 8, seed: 42).indices(for: info)
        #expect(a == (try FrameSampler.segments(count: 8, seed: 42).indices(for: info)))
        #expect(a != (try FrameSampler.segments(count: 8, seed: 43).indices(for: info)))
        for (k, i) in a.enumerated() { #expect(i >= k * 75 / 8 && i < (k + 1) * 75 / 8) }
        // More segments than frames still gives valid indices.
        let crowded = try FrameSampler.segments(count: 100, seed: 1).indices(for: info)
        #expect(crowded.count == 100 && crowded.allSatisfy { $0 >= 0 && $0 < 75 })
    }

    @Test func randomClipsFitAndAreDeterministic() throws {
        let info = try VideoReader(path: media("h264-bframes-opengop.mp4")).info
        let sampler = FrameSampler.randomClips(count: 20, length: 8, stride: 4, seed: 7)
        let clips = try sampler.clips(for: info)
        #expect(clips == (try sampler.clips(for: info)))
        #expect(clips.count == 20)
        for clip in clips {
            #expect(clip.count == 8 && clip.first! >= 0 && clip.last! < 75)
            #expect(zip(clip, clip.dropFirst()).allSatisfy { $1 - $0 == 4 })
        }
        #expect(Set(clips.map { $0[0] }).count > 1)
        #expect(throws: MediaError.self) {
            try FrameSampler.randomClips(count: 1, length: 20, stride: 4, seed: 7).clips(for: info)
        }
    }

    @Test func absurdRequestsAreRejectedNotAttempted() throws {
        let info = try VideoReader(path: media("h264-closedgop.mp4")).info
        #expect(throws: MediaError.self) { try FrameSampler.fps(1e300).indices(for: info) }
        #expect(throws: MediaError.self) { try FrameSampler.uniform(count: Int.max).indices(for: info) }
        #expect(throws: MediaError.self) { try FrameSampler.randomClips(count: 1, length: 3, stride: Int.max, seed: 1).clips(for: info) }
        #expect(throws: MediaError.self) { try FrameSampler.segments(count: 0, seed: 1).indices(for: info) }
    }

    @Test func samplersRoundTripThroughJSON() throws {
        let samplers: [FrameSampler] = [.uniform(count: 8), .every(step: 2), .fps(2.5), .segments(count: 3, seed: 5),
                                        .randomClips(count: 2, length: 16, stride: 2, seed: 11)]
        let data = try JSONEncoder().encode(samplers)
        #expect(try JSONDecoder().decode([FrameSampler].self, from: data) == samplers)
    }
}
