import Testing
import VidiMedia

/// The float layouts' conversion loop (`ModelInputConverter.convertFloats`) against the bytes layout's
/// separate loop: every float must be its byte normalised, `(b / 255 - mean) / std`, as the normalisation
/// tables are built. Narrow widths and widths around 8- and 16-pixel steps (where a vectorised loop would
/// switch between its vector body and its tail), 112 (the clips workload), a rotated video (rows walk the
/// planes with a column step other than 1) and full-range MJPEG. A vectorised loop must keep this passing.
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
