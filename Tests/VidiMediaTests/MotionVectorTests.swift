import Foundation
import Testing
import VidiMedia
import VidiTestSupport

/// Motion vectors against PyAV's decode (its own FFmpeg 8 build; goldens by Tools/make-motion-goldens.py)
/// and against themselves across thread settings.
@Suite struct MotionVectorTests {
    struct Golden: Decodable {
        struct Entry: Decodable { var pts: Int64; var type: String; var count: Int; var fnv1a64: String }
        var frames: [Entry]
    }

    /// The same FNV-1a 64 hash the golden script computes over int32 little-endian rows.
    static func fnv1a64(_ vectors: [MotionVector]) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for vector in vectors {
            for value in vector.row {
                withUnsafeBytes(of: value.littleEndian) { bytes in
                    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
                }
            }
        }
        return String(hash, radix: 16).leftPadded(to: 16)
    }

    @Test(arguments: ["h264-bframes-opengop.mp4", "h264-closedgop.mp4", "mpeg4-part2.mp4", "h264-dup-pts.mkv", "mpeg4-dup-pts.mkv",
                      "h264-bframes-dup-pts.mkv"])
    func vectorsEqualPyAVVectorForVector(_ name: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("golden/media/\(name).mvs.json")))
        let golden = try JSONDecoder().decode(Golden.self, from: data)
        let reader = try VideoReader(path: media(name))
        let motion = try reader.motionVectors()
        #expect(motion.count == golden.frames.count)
        for (ours, theirs) in zip(motion, golden.frames) {
            #expect(String(ours.pictureType.character) == theirs.type, "frame \(ours.index)")
            #expect(ours.vectors.count == theirs.count, "frame \(ours.index)")
            #expect(Self.fnv1a64(ours.vectors) == theirs.fnv1a64, "frame \(ours.index)")
            if ours.pictureType == .i { #expect(ours.vectors.isEmpty) }
        }
        #expect(motion.map(\.index) == Array(0..<reader.info.frameCount))
    }

    @Test func vectorsDoNotDependOnThreadCount() throws {
        let path = media("h264-bframes-opengop.mp4")
        let single = try VideoReader(path: path, options: ReaderOptions(threads: 1)).motionVectors()
        #expect(single.contains { $0.pictureType == .b && !$0.vectors.isEmpty })
        for threads in [2, 4, 0] {
            let threaded = try VideoReader(path: path, options: ReaderOptions(threads: threads)).motionVectors()
            #expect(threaded == single, "threads = \(threads)")
        }
    }

    @Test func vectorsCanComeWithPixelsInOnePass() throws {
        let path = media("mpeg4-part2.mp4")
        let reader = try VideoReader(path: path, options: ReaderOptions(exportMotionVectors: true))
        var pairs: [(Frame, FrameMotion)] = []
        try reader.forEachFrame(FrameOutput(size: .shorterSide(60)), motion: true) { frame in
            if let image = frame.image, let motion = frame.motion { pairs.append((image, motion)) }
        }
        #expect(pairs.count == 50)
        let alone = try VideoReader(path: path).motionVectors()
        #expect(pairs.map(\.1) == alone)
        // The same reader then serves random access from its motion-exporting decoder.
        #expect(try reader.frame(at: 13, FrameOutput(size: .shorterSide(60))) == pairs[13].0)
    }

    @Test func vectorFieldsFollowTheDocumentedConvention() throws {
        // media.md: w, h in {8, 16}; source is -1 or +1; src = dst + motion / scale (truncated).
        let motion = try VideoReader(path: media("h264-bframes-opengop.mp4")).motionVectors()
        for frame in motion.prefix(10) {
            for v in frame.vectors {
                #expect([8, 16].contains(v.w) && [8, 16].contains(v.h))
                #expect(v.source == -1 || v.source == 1)
                #expect(v.motionScale == 4)
                #expect(v.srcX == v.dstX + Int32((Double(v.motionX) / Double(v.motionScale)).rounded(.towardZero)))
            }
        }
    }
}

extension String {
    func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
