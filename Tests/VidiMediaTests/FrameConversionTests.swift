import Testing
import VidiMedia

/// RGB output against `ffmpeg -i F -f rawvideo -pix_fmt rgb24` (FFmpeg 5.1, whose auto-inserted scaler
/// uses SWS_BICUBIC, as Vidi does). Every comparison must be byte-identical (max abs diff 0), rotated
/// frames included.
@Suite struct FrameConversionTests {
    static func ours(_ path: String, _ output: FrameOutput = .init()) throws -> (bytes: [UInt8], count: Int, width: Int, height: Int) {
        var bytes: [UInt8] = [], count = 0, width = 0, height = 0
        try VideoReader(path: path).forEachFrame(output) { frame in
            guard let image = frame.image, let rgb = image.rgb else { return }
            bytes += rgb
            count += 1
            width = image.width
            height = image.height
        }
        return (bytes, count, width, height)
    }

    @Test(arguments: goodFixtures.filter { $0 != "rotated-90.mp4" })
    func rgbEqualsFFmpegRawvideo(_ name: String) throws {
        let path = media(name)
        let reference = try FFmpegReference.rgbFrames(path)
        let (bytes, count, width, height) = try Self.ours(path)
        let info = try VideoReader(path: path).info
        #expect(count == info.frameCount)
        #expect(width == info.width && height == info.height)
        #expect(bytes.count == reference.count)
        guard bytes.count == reference.count else { return }
        let diff = differences(bytes, reference)
        #expect(diff.max == 0, "max abs diff \(diff.max), mean \(diff.mean)")
    }

    @Test func rotatedFramesMatchFFmpegAutorotate() throws {
        let path = media("rotated-90.mp4")
        let reference = try FFmpegReference.rgbFrames(path)
        let (bytes, count, width, height) = try Self.ours(path)
        #expect(count == 25 && width == 240 && height == 320)
        #expect(bytes.count == reference.count)
        guard bytes.count == reference.count else { return }
        let diff = differences(bytes, reference)
        #expect(diff.max == 0, "max abs diff \(diff.max), mean \(diff.mean)")
    }

    @Test func unrotatedOutputIsTheStoredPicture() throws {
        let path = media("rotated-90.mp4")
        let reference = try FFmpegReference.rgbFrames(path, extraInput: ["-noautorotate"])
        let (bytes, _, width, height) = try Self.ours(path, FrameOutput(applyRotation: false))
        #expect(width == 320 && height == 240)
        #expect(bytes == reference)
    }

    @Test(arguments: [("h264-bframes-opengop.mp4", FrameOutput.Size.exact(width: 160, height: 96), "scale=160:96"),
                      ("odd-321x241.mp4", .shorterSide(100), "scale=133:100"),
                      ("h264-10bit.mp4", .shorterSide(120), "scale=160:120")])
    func resizeInTheSameSwscaleCallEqualsFFmpegScale(_ name: String, _ size: FrameOutput.Size, _ filter: String) throws {
        let path = media(name)
        let reference = try FFmpegReference.rgbFrames(path, filters: filter)
        let (bytes, _, _, _) = try Self.ours(path, FrameOutput(size: size))
        #expect(bytes.count == reference.count)
        guard bytes.count == reference.count else { return }
        let diff = differences(bytes, reference)
        #expect(diff.max == 0, "max abs diff \(diff.max), mean \(diff.mean)")
    }

    @Test func planarFloatIsTheRGBBytesOver255() throws {
        let reader = try VideoReader(path: media("odd-321x241.mp4"))
        let rgb = try reader.frame(at: 7)
        let planar = try reader.frame(at: 7, FrameOutput(layout: .planarFloat))
        #expect(planar.shape == [3, 241, 321])
        guard let bytes = rgb.rgb, let values = planar.planar else { Issue.record("missing pixels"); return }
        let plane = 241 * 321
        var worst: Float = 0
        for p in stride(from: 0, to: plane, by: 7) {
            for c in 0..<3 { worst = max(worst, abs(values[c * plane + p] - Float(bytes[p * 3 + c]) / 255)) }
        }
        #expect(worst == 0)
        #expect(values.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    @Test func invalidSizesAreRejected() throws {
        let reader = try VideoReader(path: media("h264-closedgop.mp4"))
        #expect(throws: MediaError.self) { try reader.frame(at: 0, FrameOutput(size: .exact(width: 0, height: 10))) }
        #expect(throws: MediaError.self) { try reader.frame(at: 0, FrameOutput(size: .shorterSide(-3))) }
    }
}
