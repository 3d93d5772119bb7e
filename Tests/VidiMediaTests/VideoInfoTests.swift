import Foundation
import Testing
import VidiMedia

/// Metadata against ffprobe on every decodable fixture.
@Suite struct VideoInfoTests {
    @Test(arguments: goodFixtures)
    func frameCountKeyframesAndTimestampsMatchFFprobe(_ name: String) throws {
        let probed = try FFmpegReference.frames(media(name))
        let info = try VideoReader(path: media(name)).info
        #expect(info.frameCount == probed.count)
        #expect(info.keyframeIndices == probed.indices.filter { probed[$0].isKeyframe })
        #expect(info.frameTimestamps.count == probed.count)
        for (ours, theirs) in zip(info.frameTimestamps, probed) {
            #expect(abs(ours - theirs.timestamp) < 1e-6)
        }
    }

    @Test(arguments: goodFixtures)
    func streamFieldsMatchFFprobe(_ name: String) throws {
        let stream = try FFmpegReference.stream(media(name))
        let info = try VideoReader(path: media(name)).info
        #expect(info.codec == stream["codec_name"])
        #expect(String(info.width) == stream["width"])
        #expect(String(info.height) == stream["height"])
        #expect(info.pixelFormat == stream["pix_fmt"])
        #expect("\(info.timeBase.numerator)/\(info.timeBase.denominator)" == stream["time_base"])
    }

    @Test func bFramesAreDetectedFromThePacketOrder() throws {
        // ffprobe -show_packets: pts of h264-bframes-opengop.mp4 are out of order in decode order;
        // h264-closedgop.mp4 and vfr.mp4 were encoded with -bf 0.
        #expect(try VideoReader(path: media("h264-bframes-opengop.mp4")).info.hasBFrames)
        #expect(try !VideoReader(path: media("h264-closedgop.mp4")).info.hasBFrames)
        #expect(try !VideoReader(path: media("vfr.mp4")).info.hasBFrames)
    }

    @Test func audioFirstFilePicksTheVideoStream() throws {
        let info = try VideoReader(path: media("audio-first.mp4")).info
        #expect(info.streamIndex == 1)
        #expect(info.codec == "h264")
    }

    @Test func rotationFollowsTheFFmpegCLIConvention() throws {
        // ffprobe prints rotation=90 (counterclockwise) for this file and ffmpeg's autorotate turns it
        // 90 degrees counterclockwise, i.e. 270 clockwise (checked pixel-wise in FrameConversionTests).
        let info = try VideoReader(path: media("rotated-90.mp4")).info
        #expect(info.rotation == 270)
        #expect(info.displayWidth == 240 && info.displayHeight == 320)
        #expect(try VideoReader(path: media("h264-closedgop.mp4")).info.rotation == 0)
    }

    @Test func vfrTimestampsAndFrameLookup() throws {
        // make-fixtures.sh: frames 0-19 every 40 ms, then every 80 ms; ffprobe agrees (test above).
        let info = try VideoReader(path: media("vfr.mp4")).info
        #expect(info.frameIndex(displayedAt: 0) == 0)
        #expect(info.frameIndex(displayedAt: 0.039) == 0)
        #expect(info.frameIndex(displayedAt: 0.04) == 1)
        #expect(info.frameIndex(displayedAt: 0.79) == 19)
        #expect(info.frameIndex(displayedAt: 0.80) == 20)
        #expect(info.frameIndex(displayedAt: 0.879) == 20)
        #expect(info.frameIndex(displayedAt: 0.88) == 21)
        #expect(info.frameIndex(displayedAt: -0.01) == nil)
        #expect(info.frameIndex(displayedAt: info.endTime) == nil)
    }
}
