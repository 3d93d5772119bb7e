import Foundation
import Testing
@testable import VidiMedia

/// Keyframes in one pass with no index scan at open (`ReaderOptions(indexAtOpen: false)`) against ffprobe's
/// key frames and against the indexed path (an open that scans, then a seek to each keyframe's packet).
@Suite struct OnePassKeyframeTests {
    /// Every decodable fixture: B-frames with open GOPs, closed GOPs, HEVC, VP9, MPEG-4 Part 2, all-intra
    /// MJPEG in AVI, VFR, rotation, 10-bit, 4:4:4, an audio-first file, and Matroska files whose frames share
    /// timestamps (keyframes among them: the pass hands over to the index there).
    @Test(arguments: goodFixtures + ["h264-bt709-hd.mp4", "h264-bt601-sd.mp4"])
    func onePassKeyframesEqualFfprobeAndTheIndexedPath(_ name: String) throws {
        let path = media(name)
        let probed = try FFmpegReference.frames(path)
        let reader = try VideoReader(path: path, options: ReaderOptions(indexAtOpen: false))
        #expect(!reader.isIndexed)
        let keyframes = try reader.keyframes()
        // Expected from ffprobe: the display-order positions and times of its key frames.
        let probedKeys = probed.indices.filter { probed[$0].isKeyframe }
        #expect(keyframes.map(\.index) == probedKeys)
        for (frame, position) in zip(keyframes, probedKeys) where !probed[position].timestamp.isNaN {
            #expect(abs(frame.timestamp - probed[position].timestamp) < 1e-5, "\(name): keyframe \(frame.index)")
        }
        // Indices, timestamps, picture types and pixels: the indexed path's, bit for bit.
        let indexed = try VideoReader(path: path).keyframes()
        #expect(keyframes == indexed)
        #expect(reader.warnings.isEmpty)
    }

    /// Where the timestamps allow it, the pass reads no index at all: the reader stays unindexed, and a
    /// later call that needs the index builds it from the start of the file (not where the pass stopped).
    @Test(arguments: ["h264-bframes-opengop.mp4", "mjpeg.avi", "vp9.webm", "mpeg4-part2.mp4", "h264-bframes-dup-pts.mkv"])
    func thePassBuildsNoIndexAndALaterCallStillGetsAWholeOne(_ name: String) throws {
        let path = media(name)
        let reader = try VideoReader(path: path, options: ReaderOptions(indexAtOpen: false))
        _ = try reader.keyframes()
        #expect(!reader.isIndexed)
        #expect(reader.statistics.seeks == 0)
        #expect(reader.info == (try VideoReader(path: path).info))
        #expect(try reader.frame(at: 5) == (try VideoReader(path: path).frame(at: 5)))
    }

    /// Where a keyframe shares its timestamp with another frame, the decoder's order decides and the pass
    /// cannot number it: the index is built there, and the keyframes before it are not repeated.
    @Test func aSharedKeyframeTimestampHandsOverToTheIndex() throws {
        let path = media("h264-dup-pts.mkv")  // keyframes 0, 60, 120; 60 and 120 share their predecessor's pts
        let reader = try VideoReader(path: path, options: ReaderOptions(indexAtOpen: false))
        let keyframes = try reader.keyframes()
        #expect(reader.isIndexed)
        #expect(keyframes.map(\.index) == [0, 60, 120])
        #expect(keyframes == (try VideoReader(path: path).keyframes()))
    }

    /// The model-input path (what `vidi keyframes` and the benchmark use): resized, cropped, as bytes and
    /// normalised floats, the same as after an indexed open.
    @Test(arguments: ["h264-bframes-opengop.mp4", "rotated-90.mp4", "mjpeg.avi", "h264-dup-pts.mkv"])
    func modelInputKeyframesEqualTheIndexedPath(_ name: String) throws {
        let path = media(name)
        let requests = [
            ModelInputRequest(frames: .keyframes, layout: .hwcBytes),
            ModelInputRequest(frames: .keyframes, resize: .shorterSide(48), crop: .center(width: 40, height: 40), layout: .chw,
                              normalization: .imageNet),
        ]
        for request in requests {
            var onePass: [Frame] = [], indexed: [Frame] = []
            try VideoReader(path: path, options: ReaderOptions(indexAtOpen: false)).forEachModelInputFrame(request) { onePass.append($0) }
            try VideoReader(path: path).forEachModelInputFrame(request) { indexed.append($0) }
            #expect(!onePass.isEmpty)
            #expect(onePass == indexed)
        }
    }

    /// Reading `info` of a deferred open builds the index: the same info as a scanning open.
    @Test func readingInfoBuildsTheIndex() throws {
        let reader = try VideoReader(path: media("h264-closedgop.mp4"), options: ReaderOptions(indexAtOpen: false))
        #expect(!reader.isIndexed)
        #expect(reader.info.frameCount == 50)
        #expect(reader.isIndexed)
        #expect(reader.info == (try VideoReader(path: media("h264-closedgop.mp4")).info))
    }

    /// A truncated file: the pass delivers the keyframes before the cut, as the indexed path does.
    @Test func aTruncatedFileGivesTheKeyframesBeforeTheCut() throws {
        let path = media("bad-truncated.mp4")
        let onePass = try VideoReader(path: path, options: ReaderOptions(indexAtOpen: false)).keyframes()
        #expect(!onePass.isEmpty)
        #expect(onePass == (try VideoReader(path: path).keyframes()))
    }
}

/// `KeyframeOrder` on made-up packet sequences, against the definition: a keyframe's display index is the
/// number of shown frames with a smaller pts (computed here by sorting the whole stream).
@Suite struct KeyframeOrderTests {
    struct Packet {
        var pts: Int64?
        var dts: Int64?
        var isFrame = true
        var isKeyframe = false
    }

    /// Display indices by sorting every shown frame's pts: the reference.
    static func sortedDisplayIndices(_ packets: [Packet]) -> [Int: Int] {
        let shown = packets.filter(\.isFrame).compactMap(\.pts).sorted()
        var result: [Int: Int] = [:]
        for (position, packet) in packets.enumerated() where packet.isFrame && packet.isKeyframe {
            if let pts = packet.pts { result[position] = shown.firstIndex(of: pts) }
        }
        return result
    }

    /// Runs the packets through; returns (decode position, display index) in output order.
    static func run(_ packets: [Packet]) throws(KeyframeOrder<Int>.Unordered) -> [(position: Int, display: Int)] {
        var order = KeyframeOrder<Int>()
        var out: [(Int, Int)] = []
        for (position, packet) in packets.enumerated() {
            let ready = try order.add(pts: packet.pts, dts: packet.dts, isFrame: packet.isFrame,
                                      held: packet.isFrame && packet.isKeyframe ? position : nil)
            out += ready.map { ($0.held, $0.display) }
        }
        out += order.finish().map { ($0.held, $0.display) }
        return out
    }

    /// Random streams with B-frame style reordering (each frame decoded at most `depth` places before its
    /// display place, dts = the i-th smallest pts minus the reorder delay, as muxers write them), random
    /// keyframes, some hidden packets and variable frame spacing.
    @Test func randomReorderedStreamsAreNumberedAsBySorting() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        var checked = 0
        for trial in 0..<400 {
            let n = 1 + next(60), depth = next(4)
            var pts: [Int64] = []
            var t: Int64 = Int64(next(5)) - 2
            for _ in 0..<n {
                pts.append(t)
                t += 1 + Int64(next(3))
            }
            // Decode order: sort display positions by (position - random jitter in 0...depth).
            let decode = (0..<n).map { ($0 - next(depth + 1), $0) }.sorted { $0 < $1 }.map(\.1)
            let delay = Int64(3 * depth)
            var packets: [Packet] = []
            for (i, displayPosition) in decode.enumerated() {
                packets.append(Packet(pts: pts[displayPosition], dts: pts[i] - delay,
                                      isFrame: next(10) != 0, isKeyframe: next(4) == 0))
            }
            guard packets.allSatisfy({ $0.pts! >= $0.dts! }) else { continue }
            let out = try Self.run(packets)
            let expected = Self.sortedDisplayIndices(packets)
            #expect(Dictionary(uniqueKeysWithValues: out.map { ($0.position, $0.display) }) == expected, "trial \(trial)")
            #expect(out.map(\.display) == out.map(\.display).sorted(), "trial \(trial): not in display order")
            checked += 1
        }
        #expect(checked > 300)
    }

    /// The open-GOP layout of h264-bframes-opengop.mp4's first packets (ffprobe -show_packets): the
    /// keyframe at pts 0 with dts -1024 is final once dts passes 0.
    @Test func anOpenGOPKeyframeIsFinalOnceDtsPassesItsPts() throws {
        let packets = [Packet(pts: 0, dts: -1024, isKeyframe: true), Packet(pts: 2048, dts: -512),
                       Packet(pts: 1024, dts: 0), Packet(pts: 512, dts: 512)]
        var order = KeyframeOrder<Int>()
        #expect(try order.add(pts: 0, dts: -1024, isFrame: true, held: 0).isEmpty)
        #expect(try order.add(pts: 2048, dts: -512, isFrame: true, held: nil).isEmpty)
        #expect(try order.add(pts: 1024, dts: 0, isFrame: true, held: nil).isEmpty)  // dts 0 is not past pts 0
        let ready = try order.add(pts: 512, dts: 512, isFrame: true, held: nil)
        #expect(ready.map(\.display) == [0])
        #expect(try Self.run(packets).map(\.display) == [0])
    }

    @Test func streamsThatBreakTheRulesAreRefused() {
        // dts going backwards.
        #expect(throws: KeyframeOrder<Int>.Unordered.decreasingDts) {
            try Self.run([Packet(pts: 0, dts: 0, isKeyframe: true), Packet(pts: 10, dts: 10), Packet(pts: 20, dts: 5)])
        }
        // pts before dts.
        #expect(throws: KeyframeOrder<Int>.Unordered.ptsBeforeDts) { try Self.run([Packet(pts: 0, dts: 1)]) }
        // No pts; a dts missing after one was given.
        #expect(throws: KeyframeOrder<Int>.Unordered.missingTimestamp) { try Self.run([Packet(pts: nil, dts: 0)]) }
        #expect(throws: KeyframeOrder<Int>.Unordered.missingTimestamp) {
            try Self.run([Packet(pts: 0, dts: 0), Packet(pts: 10, dts: nil)])
        }
        // Another frame with a keyframe's pts, before or after it.
        #expect(throws: KeyframeOrder<Int>.Unordered.sharedTimestamp) {
            try Self.run([Packet(pts: 0, dts: 0), Packet(pts: 10, dts: 5), Packet(pts: 10, dts: 10, isKeyframe: true)])
        }
        #expect(throws: KeyframeOrder<Int>.Unordered.sharedTimestamp) {
            try Self.run([Packet(pts: 10, dts: 0, isKeyframe: true), Packet(pts: 10, dts: 5)])
        }
    }

    /// Matroska B-frame streams give no dts for their first packets (h264-bframes-dup-pts.mkv: pts 0, 120
    /// without dts, then pts 40 dts 0): those are counted, and bound nothing.
    @Test func missingDtsAtTheStartIsAccepted() throws {
        let packets = [Packet(pts: 0, dts: nil, isKeyframe: true), Packet(pts: 120, dts: nil), Packet(pts: 40, dts: 0),
                       Packet(pts: 80, dts: 40), Packet(pts: 240, dts: 80, isKeyframe: true), Packet(pts: 160, dts: 120),
                       Packet(pts: 200, dts: 160), Packet(pts: 320, dts: 200)]
        let out = try Self.run(packets)
        #expect(out.map(\.position) == [0, 4])
        #expect(out.map(\.display) == [0, 6])
    }
}
