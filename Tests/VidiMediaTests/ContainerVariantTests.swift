import Foundation
import Testing
import VidiMedia
import VidiTestSupport

/// The open-GOP B-frame stream remuxed (`ffmpeg -c copy`) into other containers, including raw Annex B
/// H.264 and raw HEVC, which carry no timestamps at all: counts and keyframes equal ffprobe's, every
/// frame equals the MP4's, and random access equals sequential decoding.
@Suite struct ContainerVariantTests {
    static func remux(_ fixture: String, to name: String, _ extra: [String] = []) throws -> String {
        let directory = try Fixtures.temporaryDirectory("vidi-remux")
        let path = directory.appendingPathComponent(name).path
        let result = try runTool("ffmpeg", ["-v", "error", "-y", "-i", media(fixture), "-c", "copy"] + extra + [path])
        #expect(result.status == 0, "\(result.stderr)")
        return path
    }

    @Test(arguments: [("h264-bframes-opengop.mp4", "remux.mkv", [String]()),
                      ("h264-bframes-opengop.mp4", "remux.ts", []),
                      ("h264-bframes-opengop.mp4", "raw.h264", ["-bsf:v", "h264_mp4toannexb"]),
                      ("hevc.mp4", "raw.hevc", ["-bsf:v", "hevc_mp4toannexb"])])
    func remuxedStreamsDecodeIdentically(_ fixture: String, _ name: String, _ extra: [String]) throws {
        let path = try Self.remux(fixture, to: name, extra)
        let probed = try FFmpegReference.frames(path)
        let reader = try VideoReader(path: path)
        #expect(reader.info.frameCount == probed.count)
        #expect(reader.info.keyframeIndices == probed.indices.filter { probed[$0].isKeyframe })
        var sequential: [[UInt8]] = []
        try reader.forEachFrame(FrameOutput()) { sequential.append($0.image?.rgb ?? []) }
        #expect(sequential.count == probed.count)
        // Same pixels as the original file's frames.
        let original = try VideoReader(path: media(fixture))
        var originalFrames: [[UInt8]] = []
        try original.forEachFrame(FrameOutput()) { originalFrames.append($0.image?.rgb ?? []) }
        #expect(sequential == originalFrames)
        // Random access, unsorted with repeats.
        let n = reader.info.frameCount
        let indices = [n - 1, 1, n / 2, 0, n / 2, n - 3, 2]
        for frame in try reader.frames(at: indices) { #expect(frame.rgb == sequential[frame.index], "frame \(frame.index)") }
    }
}

extension ContainerVariantTests {
    @Test func rawStreamsSayTheyHaveNoTimestamps() throws {
        let path = try Self.remux("h264-bframes-opengop.mp4", to: "raw.h264", ["-bsf:v", "h264_mp4toannexb"])
        let info = try VideoReader(path: path).info
        #expect(!info.hasTimestamps)
        #expect(info.hasBFrames)
        #expect(info.frameTimestamps[25] == 1.0)  // 25 / 25 fps
        #expect(try VideoReader(path: media("h264-bframes-opengop.mp4")).info.hasTimestamps)
    }
}

extension ContainerVariantTests {
    @Test func editListCutMidGOP() throws {
        // `ffmpeg -ss 1.3 -c copy` keeps the GOP from keyframe 25 and writes an edit list; ffprobe shows
        // the packets before the cut flagged discard (pts < 0) and 42 displayed frames.
        let directory = try Fixtures.temporaryDirectory("vidi-cut")
        let path = directory.appendingPathComponent("cut.mp4").path
        let made = try runTool("ffmpeg", ["-v", "error", "-y", "-ss", "1.3", "-i", media("h264-bframes-opengop.mp4"), "-c", "copy", path])
        #expect(made.status == 0)
        let probed = try FFmpegReference.frames(path)
        let reader = try VideoReader(path: path)
        #expect(reader.info.frameCount == probed.count)
        #expect(reader.info.keyframeIndices == probed.indices.filter { probed[$0].isKeyframe })
        for (ours, theirs) in zip(reader.info.frameTimestamps, probed) { #expect(abs(ours - theirs.timestamp) < 1e-6) }
        var sequential: [[UInt8]] = []
        try reader.forEachFrame(FrameOutput()) { sequential.append($0.image?.rgb ?? []) }
        #expect(sequential.flatMap { $0 } == (try FFmpegReference.rgbFrames(path, extraInput: ["-threads", "1"])))
        let n = reader.info.frameCount
        for frame in try reader.frames(at: [n - 1, 0, 3, n / 2, 1]) {
            #expect(frame.rgb == sequential[frame.index], "frame \(frame.index)")
        }
        #expect(try VideoReader(path: path).frame(at: 0).rgb == sequential[0])
    }
}
