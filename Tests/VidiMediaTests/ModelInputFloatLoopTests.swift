import Testing
import VidiMedia

/// The float layouts' conversion loop (`CYUVConvert`'s `vidi_yuv444_to_normalised`: eight pixels at a
/// time with AVX2 gathers on unrotated rows, one at a time otherwise) against the bytes layout, which keeps
/// its own one-pixel loop in Swift: every float must be its byte normalised, `(b / 255 - mean) / std`, as
/// the normalisation tables are built. Widths around the 8-pixel step and its tail, and a rotated video
/// (its rows walk the planes with a column step other than 1, so they take the one-pixel path).
@Suite struct ModelInputFloatLoopTests {
    static func check(path: String, width: Int, height: Int) throws {
        let reader = try VideoReader(path: path)
        func input(_ layout: ModelInputRequest.Layout) throws -> ModelInput {
            try reader.modelInput(ModelInputRequest(frames: .uniform(count: 2), resize: .fixed(width: width, height: height),
                                                    layout: layout, normalization: .imageNet))
        }
        let floats = try #require(try input(.chw).floats), bytes = try #require(try input(.hwcBytes).bytes)
        let norm = ModelInputRequest.Normalization.imageNet, plane = width * height
        var mismatches = 0
        for frame in 0..<2 { for ch in 0..<3 { for p in 0..<plane {
            let byte = bytes[(frame * plane + p) * 3 + ch]
            if floats[(frame * 3 + ch) * plane + p] != (Float(byte) / 255 - norm.mean[ch]) / norm.std[ch] { mismatches += 1 }
        } } }
        #expect(mismatches == 0, "\(path) \(width)x\(height)")
    }

    @Test(arguments: [1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 112])
    func everyFloatIsItsByteNormalised(width: Int) throws {
        try Self.check(path: media("h264-bframes-opengop.mp4"), width: width, height: 5)
    }

    @Test func rotatedRowsTooAndFullRange() throws {
        try Self.check(path: media("rotated-90.mp4"), width: 21, height: 9)
        try Self.check(path: media("mjpeg.avi"), width: 19, height: 7)
    }
}
