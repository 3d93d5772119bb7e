import Testing
import VidiMedia
import VidiTestSupport

/// Colour matrix and range per stream, against numpy conversion of the decoder's own YUV planes
/// (`Tools/make_model_input_goldens.py`, `colour.npz`: nearest chroma upsampling, the stream's BT.601 or
/// BT.709 coefficients, limited or full range). Vidi's chroma interpolation differs from nearest at colour
/// edges by a few levels: mean ≤ 1 level and max ≤ 4 (seen: mean 0.23–0.86, max 2–3), and each case must be at
/// least 3x farther from the same frame converted with the wrong matrix or range: the test tells
/// full-range MJPEG, BT.709 HD, BT.601 SD and untagged SD (BT.601, as FFmpeg assumes) apart.
@Suite struct ModelInputColourTests {
    @Test(arguments: [("mjpeg_fullrange_bt601", "mjpeg.avi"), ("h264_bt709_hd", "h264-bt709-hd.mp4"),
                      ("h264_bt601_sd", "h264-bt601-sd.mp4"), ("h264_unspecified_sd", "h264-bframes-opengop.mp4")])
    func matrixAndRangeFollowTheStream(_ name: String, _ file: String) throws {
        let reader = try VideoReader(path: media(file))
        let input = try reader.modelInput(ModelInputRequest(frames: .every(step: reader.info.frameCount), layout: .hwcBytes))
        let bytes = try #require(input.bytes)
        let (h, w) = (input.shape[1], input.shape[2])
        // Every 4th row and column, as the golden stores it.
        var sampled: [Double] = []
        for y in stride(from: 0, to: h, by: 4) {
            for x in stride(from: 0, to: w, by: 4) {
                for c in 0..<3 { sampled.append(Double(bytes[(y * w + x) * 3 + c])) }
            }
        }
        let right = try ModelInputGoldens.array("colour", "\(name)/rgb")
        let wrong = try ModelInputGoldens.array("colour", "\(name)/wrong")
        #expect(right.shape == [(h + 3) / 4, (w + 3) / 4, 3])
        guard right.data.count == sampled.count else { return }
        let d = ModelInputGoldens.LevelDifference(sampled, right.data.map(Double.init))
        let dWrong = ModelInputGoldens.LevelDifference(sampled, wrong.data.map(Double.init))
        print("\(name): stream's matrix \(d); wrong \(dWrong)")
        #expect(d.mean <= 1 && d.max <= 4, "\(d)")
        #expect(dWrong.mean >= 3 * d.mean, "right \(d), wrong \(dWrong)")
    }
}
