import Foundation
import Testing
@testable import VidiMedia
import VidiTestSupport

/// Frames that share a timestamp (h264-dup-pts.mkv, mpeg4-dup-pts.mkv: VFR Matroska, 1 ms time base;
/// Tools/make-fixtures.sh gives frame 10k+9 the pts of frame 10k+8, and keyframes 60 and 120 that of
/// their predecessor, so 58-60 and 118-120 are triples). References: ffprobe and the ffmpeg CLI
/// (FFmpeg 5.1), PyAV's vectors (golden/media/*.mvs.json).
@Suite struct SharedTimestampTests {
    static let fixtures = ["h264-dup-pts.mkv", "mpeg4-dup-pts.mkv"]

    static func sequentialFrames(_ path: String) throws -> [[UInt8]] {
        var frames: [[UInt8]] = []
        try VideoReader(path: path).forEachFrame(FrameOutput()) { frame in
            #expect(frame.index == frames.count)
            frames.append(frame.image?.rgb ?? [])
        }
        return frames
    }

    @Test(arguments: fixtures)
    func fixtureReallySharesTimestamps(_ name: String) throws {
        // ffprobe -show_packets: the pts the file holds, in decode order.
        let text = try runTool("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts",
                                           "-of", "csv=p=0", media(name)]).text
        let pts = text.split(separator: "\n").compactMap { Int($0) }
        #expect(pts.count == 180)
        #expect(Set(pts).count == 180 - 18 - 2)  // 18 repeated values, two of them shared by three frames
        #expect(pts[58] == pts[59] && pts[59] == pts[60] && pts[118] == pts[120])
        #expect(pts[8] == pts[9] && pts[9] != pts[10])
    }

    @Test(arguments: fixtures)
    func frameCountEqualsFFprobeCountFrames(_ name: String) throws {
        // ffprobe -count_frames decodes the stream: nb_read_frames = 180.
        let text = try runTool("ffprobe", ["-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
                                           "stream=nb_read_frames", "-of", "csv=p=0", media(name)]).text
        let info = try VideoReader(path: media(name)).info
        #expect(Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) == 180)
        #expect(info.frameCount == 180)
        #expect(info.keyframeIndices == [0, 60, 120])
        #expect(!info.hasBFrames)
    }

    @Test(arguments: fixtures)
    func everyFrameDecodesInDisplayOrderAsFFmpeg(_ name: String) throws {
        // ffmpeg -fps_mode passthrough -f rawvideo -pix_fmt rgb24: 180 frames in the decoder's output order.
        let reference = try FFmpegReference.rgbFrames(media(name))
        let frames = try Self.sequentialFrames(media(name))
        #expect(frames.count == 180)
        #expect(frames.flatMap { $0 } == reference)
    }

    @Test(arguments: fixtures)
    func randomAccessByIndexEqualsSequential(_ name: String) throws {
        let path = media(name)
        let sequential = try Self.sequentialFrames(path)
        let reader = try VideoReader(path: path)
        let indices = [59, 58, 60, 9, 8, 179, 119, 120, 118, 0] + Array((0..<180).reversed())
        let frames = try reader.frames(at: indices)
        #expect(frames.map(\.index) == indices)
        for frame in frames { #expect(frame.rgb == sequential[frame.index], "frame \(frame.index)") }
        // Fresh readers: the seek lands on a keyframe whose pts two earlier packets share.
        for i in [60, 59, 120, 121, 9] {
            #expect(try VideoReader(path: path).frame(at: i).rgb == sequential[i], "fresh reader, frame \(i)")
        }
    }

    @Test(arguments: fixtures)
    func randomAccessByTimeTakesTheLastFrameOfATie(_ name: String) throws {
        // Frames 58, 59 and 60 share pts 2.32 s: 58 and 59 are shown for no time, 60 until 2.44 s.
        let path = media(name)
        let sequential = try Self.sequentialFrames(path)
        let reader = try VideoReader(path: path)
        #expect(reader.info.frameTimestamps[58] == 2.32 && reader.info.frameTimestamps[60] == 2.32)
        for (seconds, expected) in [(2.32, 60), (2.43, 60), (2.44, 61), (0.32, 9), (0.36, 9), (0.40, 10)] {
            let frame = try reader.frame(displayedAt: seconds)
            #expect(frame.index == expected, "\(seconds) s")
            #expect(frame.rgb == sequential[expected], "\(seconds) s")
        }
    }

    @Test(arguments: fixtures)
    func keyframesAreFFprobesAndDecodeAsInSequence(_ name: String) throws {
        // ffprobe -show_frames key_frame flags, in output order.
        let probed = try FFmpegReference.frames(media(name))
        let sequential = try Self.sequentialFrames(media(name))
        let keyframes = try VideoReader(path: media(name)).keyframes()
        #expect(keyframes.map(\.index) == probed.indices.filter { probed[$0].isKeyframe })
        for frame in keyframes { #expect(frame.rgb == sequential[frame.index], "keyframe \(frame.index)") }
    }

    @Test(arguments: fixtures)
    func frameStreamDeliversEveryFrame(_ name: String) async throws {
        let sequential = try Self.sequentialFrames(media(name))
        var indices: [Int] = []
        for try await frame in FrameStream(path: media(name), motion: true) {
            #expect(frame.image?.rgb == sequential[frame.index], "frame \(frame.index)")
            #expect(frame.motion?.index == frame.index)
            indices.append(frame.index)
        }
        #expect(indices == Array(0..<180))
    }

    @Test(arguments: fixtures)
    func denseMotionHasOneMapPerFrame(_ name: String) throws {
        // Vectors are checked against PyAV in MotionVectorTests; here every frame gets its map.
        let motion = try VideoReader(path: media(name)).motionVectors()
        #expect(motion.map(\.index) == Array(0..<180))
        let maps = try motion.map { try DenseMotion.perGrid($0, cell: 8) }
        #expect(maps.allSatisfy { $0.shape == [12, 16, 2] })
        // Frame 59 (tied with 58) is a P-frame with vectors of its own, not a copy of 58's.
        #expect(motion[59].pictureType == .p && !motion[59].vectors.isEmpty && motion[59].vectors != motion[58].vectors)
    }

    @Test func indexTellsTiedPacketsApartByByteOffset() throws {
        let reader = try VideoReader(path: media("h264-dup-pts.mkv"))
        let index = reader.index
        let tied = index.entries[60]
        #expect(index.sharedTimestamps[tied.timestamp] == [58, 59, 60])
        for p in [58, 59, 60] {
            let e = index.entries[p]
            #expect(index.position(ofTimestamp: e.timestamp, bytePosition: e.bytePosition, isKeyframe: e.isKeyframe, preferred: nil) == p)
        }
        // Without a byte offset the key flag picks the keyframe, then the caller's expectation.
        #expect(index.position(ofTimestamp: tied.timestamp, bytePosition: -1, isKeyframe: true, preferred: nil) == 60)
        #expect(index.position(ofTimestamp: tied.timestamp, bytePosition: -1, isKeyframe: false, preferred: 59) == 59)
        #expect(index.position(ofTimestamp: tied.timestamp, bytePosition: -1, isKeyframe: false, preferred: nil) == 58)
    }

    @Test func bFramesThatShareATimestampComeInTheDecodersOrder() throws {
        // h264-bframes-dup-pts.mkv (make-fixtures.sh): display frames 8 (B) and 9 (P) share pts 320 ms, and
        // the P-frame is decoded first (ffprobe -show_packets). ffprobe -show_frames outputs B then P: the
        // display order, which sorting packets by pts alone (ties in decode order) would get wrong.
        let path = media("h264-bframes-dup-pts.mkv")
        let packets = try runTool("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts",
                                              "-of", "csv=p=0", path]).text.split(separator: "\n").compactMap { Int($0) }
        let tied = packets.indices.filter { packets[$0] == 320 }
        #expect(tied.count == 2)
        let probed = try FFmpegReference.frames(path)
        #expect(probed.count == 100 && probed[8].pictureType == "B" && probed[9].pictureType == "P")
        let reader = try VideoReader(path: path)
        #expect(reader.index.displayToDecode[8] == tied[1] && reader.index.displayToDecode[9] == tied[0])
        #expect(reader.info.hasBFrames)
        // Random access and sequential decoding agree with ffmpeg's frames 8 and 9 (rgb24, passthrough).
        let reference = try FFmpegReference.rgbFrames(path)
        let size = 128 * 96 * 3
        for i in [9, 8, 19, 18, 49, 48] {
            let frame = try VideoReader(path: path).frame(at: i)
            #expect(frame.rgb.map { $0[...] } == reference[(i * size)..<((i + 1) * size)], "frame \(i)")
            #expect(String(frame.pictureType.character) == probed[i].pictureType, "frame \(i)")
        }
    }
}
