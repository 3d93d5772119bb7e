import Testing
import VidiMedia

/// Keyframes-only decoding (`skip_frame = AVDISCARD_NONKEY`) against ffprobe's key_frame flags and
/// against the same frames from full decoding.
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
}
