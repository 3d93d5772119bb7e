import Testing
import VidiMedia

/// Keyframes-only decoding (each keyframe decoded on its own after a seek to its indexed packet, non-key
/// packets never fed) against ffprobe's key_frame flags and against the same frames from full decoding.
@Suite struct KeyframeTests {
    @Test(arguments: ["h264-bframes-opengop.mp4", "h264-closedgop.mp4", "hevc.mp4", "vp9.webm", "mpeg4-part2.mp4",
                      "rotated-90.mp4", "mjpeg.avi", "vfr.mp4"])
    func keyframesAreExactlyTheKeyFramesOfAFullDecode(_ name: String) throws {
        let path = media(name)
        let probed = try FFmpegReference.frames(path)
        let reader = try VideoReader(path: path)
        let keyframes = try reader.keyframes()
        #expect(keyframes.map(\.index) == probed.indices.filter { probed[$0].isKeyframe })
        #expect(keyframes.allSatisfy { $0.isKeyframe && $0.pictureType == .i })
        // Bit-identical to the same frames decoded normally (fresh reader: no shared decoder state).
        let full = try VideoReader(path: path).frames(at: keyframes.map(\.index))
        #expect(keyframes == full)
    }

    /// With two decoder threads (slice threads only on the keyframes path) both keyframe paths, the one
    /// pass without an index and the seeks after an indexed open, give the one-thread pictures bit for bit.
    @Test(arguments: ["h264-bframes-opengop.mp4", "hevc.mp4", "mpeg4-part2.mp4"])
    func keyframesAtTwoThreadsEqualOneThread(_ name: String) throws {
        let path = media(name)
        let single = try VideoReader(path: path).keyframes()
        #expect(!single.isEmpty)
        for indexAtOpen in [false, true] {
            let reader = try VideoReader(path: path, options: ReaderOptions(threads: 2, indexAtOpen: indexAtOpen))
            #expect(try reader.keyframes() == single)
        }
    }

    /// One pass exporting every frame's motion and converting only the keyframes (what the pipeline's
    /// keyframes + motion stages use; P/B pictures are then not reconstructed) gives bit for bit
    /// `keyframes()`'s pictures (a separate skip_frame=NONKEY decode, itself checked against ffprobe
    /// above) and the motion of a full decode that converts every picture.
    @Test(arguments: ["h264-bframes-opengop.mp4", "h264-closedgop.mp4", "hevc.mp4", "vp9.webm", "mpeg4-part2.mp4",
                      "rotated-90.mp4", "mjpeg.avi", "vfr.mp4"])
    func keyframesFromAMotionPassEqualKeyframesOnlyDecoding(_ name: String) throws {
        let path = media(name)
        for output in [FrameOutput(), FrameOutput(size: .shorterSide(48))] {
            var keyframes: [Frame] = []
            var motion: [FrameMotion] = []
            var delivered = 0
            try VideoReader(path: path).forEachFrame(output, motion: true, converting: .keyframes) { decoded in
                delivered += 1
                if let image = decoded.image { keyframes.append(image) }
                if let vectors = decoded.motion { motion.append(vectors) }
                #expect((decoded.image != nil) == decoded.isKeyframe)
            }
            let reader = try VideoReader(path: path)
            #expect(delivered == reader.info.frameCount)
            #expect(keyframes.sorted { $0.index < $1.index } == (try reader.keyframes(output)))
            var fullMotion: [FrameMotion] = []
            try VideoReader(path: path).forEachFrame(output, motion: true) { decoded in
                #expect(decoded.image != nil)
                if let vectors = decoded.motion { fullMotion.append(vectors) }
            }
            #expect(motion == fullMotion)
            #expect(motion == (try VideoReader(path: path).motionVectors()))
        }
    }

    @Test func selectedIndicesAreTheOnlyConvertedFrames() throws {
        let path = media("h264-bframes-opengop.mp4")
        let wanted: Set<Int> = [0, 3, 7]
        var images: [Frame] = []
        try VideoReader(path: path).forEachFrame(FrameOutput(), converting: .indices(wanted)) { decoded in
            if let image = decoded.image { images.append(image) }
        }
        #expect(images.sorted { $0.index < $1.index } == (try VideoReader(path: path).frames(at: wanted.sorted())))
    }
}
