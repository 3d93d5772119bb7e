import Foundation
import Testing
@testable import VidiMedia
import VidiRandom

/// Exact random access: every frame fetched by index equals the same frame of one sequential decode
/// from the start (the decode order FFmpeg itself uses), bit for bit.
@Suite struct RandomAccessTests {
    /// Sequential reference: `forEachFrame` decodes the whole file once, in order, with no seeking.
    static func sequentialFrames(_ path: String) throws -> [Int: [UInt8]] {
        var frames: [Int: [UInt8]] = [:]
        try VideoReader(path: path).forEachFrame(FrameOutput()) { frames[$0.index] = $0.image?.rgb }
        return frames
    }

    @Test(arguments: ["h264-bframes-opengop.mp4", "vfr.mp4", "hevc.mp4", "vp9.webm", "h264-closedgop.mp4",
                      "mpeg4-part2.mp4", "mjpeg.avi", "h264-dup-pts.mkv", "h264-bframes-dup-pts.mkv"])
    func unsortedRepeatedIndicesEqualSequentialDecode(_ name: String) throws {
        let path = media(name)
        let sequential = try Self.sequentialFrames(path)
        let reader = try VideoReader(path: path)
        let n = reader.info.frameCount
        #expect(sequential.count == n)
        // Unsorted, repeated, across GOPs, both ends; every frame once more in reverse.
        let indices = [n - 1, 0, n / 2, n / 2, 3, n - 2, 1, n / 2 + 1, 0] + Array((0..<n).reversed())
        let frames = try reader.frames(at: indices)
        #expect(frames.map(\.index) == indices)
        for frame in frames { #expect(frame.rgb == sequential[frame.index], "frame \(frame.index)") }
    }

    @Test func openGOPLeadingFramesAreExact() throws {
        // h264-bframes-opengop.mp4: keyframe at display 50 (packet pts 25600) is decoded before B-frames
        // 48 and 49 (ffprobe -show_packets), which reference the previous GOP.
        let path = media("h264-bframes-opengop.mp4")
        let sequential = try Self.sequentialFrames(path)
        let reader = try VideoReader(path: path)
        for i in [49, 48, 50, 24, 23, 25, 74, 47] {
            #expect(try reader.frame(at: i).rgb == sequential[i], "frame \(i)")
        }
        // One at a time with fresh readers (no decoder state carried over).
        for i in [48, 49, 23, 24] {
            #expect(try VideoReader(path: path).frame(at: i).rgb == sequential[i], "fresh reader, frame \(i)")
        }
    }

    @Test func openGOPFixtureReallyHasLeadingFrames() throws {
        // Guards the test above: display frames 48 and 49 are decoded after keyframe 50, so decoding
        // must start at keyframe 25 for them.
        let reader = try VideoReader(path: media("h264-bframes-opengop.mp4"))
        let index = reader.index
        #expect(reader.info.keyframeIndices == [0, 25, 50])
        let key50 = index.displayToDecode[50], key25 = index.displayToDecode[25]
        #expect(index.displayToDecode[48] > key50 && index.displayToDecode[49] > key50)
        #expect(index.startPosition(forDisplay: 48) == key25)
        #expect(index.startPosition(forDisplay: 49) == key25)
        #expect(index.startPosition(forDisplay: 50) == key50)
        #expect(index.startPosition(forDisplay: 51) == key50)
    }

    @Test(arguments: [2, 0])
    func threadedRandomAccessEqualsSingleThreadedSequential(_ threads: Int) throws {
        let path = media("h264-bframes-opengop.mp4")
        let sequential = try Self.sequentialFrames(path)
        let reader = try VideoReader(path: path, options: ReaderOptions(threads: threads))
        let indices = [70, 2, 49, 48, 26, 26, 0, 74, 51]
        for frame in try reader.frames(at: indices) { #expect(frame.rgb == sequential[frame.index], "frame \(frame.index)") }
    }

    @Test func pictureTypesMatchFFprobe() throws {
        for name in ["h264-bframes-opengop.mp4", "hevc.mp4", "mpeg4-part2.mp4"] {
            let probed = try FFmpegReference.frames(media(name)).map(\.pictureType)
            var ours: [String] = []
            try VideoReader(path: media(name)).forEachFrame(nil) { ours.append(String($0.pictureType.character)) }
            #expect(ours == probed, "\(name)")
        }
    }

    @Test func fileURLsOpenLikePaths() throws {
        let path = media("vp9.webm")
        let viaURL = try VideoReader(path: URL(fileURLWithPath: path).absoluteString)
        #expect(viaURL.info.frameCount == 25)
        #expect(try viaURL.frame(at: 17) == VideoReader(path: path).frame(at: 17))
    }

    @Test func timestampAccessOnVFR() throws {
        // vfr.mp4 (make-fixtures.sh, confirmed by ffprobe in VideoInfoTests): frame i < 20 at 0.04 i s,
        // frame i >= 20 at 0.8 + 0.08 (i - 20) s.
        let path = media("vfr.mp4")
        let sequential = try Self.sequentialFrames(path)
        let reader = try VideoReader(path: path)
        let cases: [(Double, Int)] = [(0, 0), (0.05, 1), (0.79, 19), (0.8, 20), (0.85, 20), (0.88, 21), (1.0, 22), (3.0, 47), (3.13, 49)]
        for (t, expected) in cases {
            let frame = try reader.frame(displayedAt: t)
            #expect(frame.index == expected, "t = \(t)")
            #expect(frame.rgb == sequential[expected], "t = \(t)")
        }
        #expect(throws: MediaError.self) { try reader.frame(displayedAt: reader.info.endTime) }
        #expect(throws: MediaError.self) { try reader.frame(displayedAt: -1) }
    }

    @Test func indexOutOfRangeThrows() throws {
        let reader = try VideoReader(path: media("h264-closedgop.mp4"))
        #expect(throws: MediaError.self) { try reader.frame(at: 50) }
        #expect(throws: MediaError.self) { try reader.frame(at: -1) }
    }
}

@Suite struct DecodeWorkTests {
    @Test func everyFrameInAnyOrderDecodesTheFileOnce() throws {
        let reader = try VideoReader(path: media("h264-bframes-opengop.mp4"))
        var generator = SplitMix64(seed: 5)
        let indices = (0..<75).map { _ in generator.nextIndex(below: 75) } + Array(0..<75)
        let frames = try reader.frames(at: indices)
        #expect(frames.map(\.index) == indices)
        // Groups by start keyframe (0, 25, 50) follow each other, so one seek and one pass over all 75
        // packets serve every request.
        #expect(reader.statistics.seeks == 1)
        #expect(reader.statistics.packetsDecoded == 75)
    }

    @Test func aheadInTheSameGOPNeedsNoSeek() throws {
        let reader = try VideoReader(path: media("h264-closedgop.mp4"))  // keyframes every 12
        _ = try reader.frame(at: 2)
        _ = try reader.frame(at: 7)
        _ = try reader.frame(at: 11)
        #expect(reader.statistics.seeks == 1)
        _ = try reader.frame(at: 40)  // a later GOP: seek to keyframe 36 rather than decode 12 ..< 36
        #expect(reader.statistics.seeks == 2)
        #expect(reader.statistics.packetsDecoded <= 12 + 5 + 2)
        _ = try reader.frame(at: 3)  // behind: seek back
        #expect(reader.statistics.seeks == 3)
    }

    @Test func oneFrameDecodesOnlyFromItsKeyframe() throws {
        let reader = try VideoReader(path: media("h264-bframes-opengop.mp4"))
        _ = try reader.frame(at: 70)
        // From keyframe 50 (decode position 50) to frame 70's packet and the reorder delay after it.
        #expect(reader.statistics.packetsDecoded <= 25)
        #expect(reader.statistics.packetsDecoded >= 21)
    }
}

extension DecodeWorkTests {
    struct StopHere: Error {}

    @Test func anAbortedDecodeLeavesTheReaderExact() throws {
        let path = media("h264-bframes-opengop.mp4")
        let sequential = try RandomAccessTests.sequentialFrames(path)
        let reader = try VideoReader(path: path)
        #expect(throws: StopHere.self) {
            try reader.forEachFrame(FrameOutput()) { if $0.index == 30 { throw StopHere() } }
        }
        // The callback threw mid-stream; the next calls reposition instead of trusting that state.
        for i in [31, 49, 12] { #expect(try reader.frame(at: i).rgb == sequential[i], "frame \(i)") }
    }
}
