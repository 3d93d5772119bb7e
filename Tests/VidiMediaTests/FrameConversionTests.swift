import Testing
@testable import VidiMedia
import VidiTestSupport

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

    @Test func outputSizesForDegenerateInputsThrow() throws {
        // A damaged header can report a 0 x 0 picture; sizing must throw, not divide by zero.
        #expect(throws: MediaError.self) { try FrameConverter.outputSize(width: 0, height: 0, rotation: 0, output: FrameOutput(size: .shorterSide(8))) }
        #expect(throws: MediaError.self) { try FrameConverter.outputSize(width: 1, height: 5000, rotation: 0, output: FrameOutput(size: .shorterSide(100))) }
        let size = try FrameConverter.outputSize(width: 321, height: 241, rotation: 90, output: FrameOutput(size: .shorterSide(100)))
        #expect(size.width == 100 && size.height == 133)  // rotated: 241 wide, 321 high
    }

    @Test func invalidSizesAreRejected() throws {
        let reader = try VideoReader(path: media("h264-closedgop.mp4"))
        #expect(throws: MediaError.self) { try reader.frame(at: 0, FrameOutput(size: .exact(width: 0, height: 10))) }
        #expect(throws: MediaError.self) { try reader.frame(at: 0, FrameOutput(size: .shorterSide(-3))) }
    }
}

/// Every right angle: the fixture's stream copied with another rotate tag (FFmpeg 5.1 writes the display
/// matrix from it when stream-copying, as make-fixtures.sh does), compared with ffmpeg's autorotate.
@Suite struct RotationTests {
    @Test(arguments: [("90", 270), ("180", 180), ("270", 90), ("0", 0)])
    func everyRightAngleMatchesFFmpegAutorotate(_ tag: String, _ clockwise: Int) throws {
        let directory = try Fixtures.temporaryDirectory("vidi-rotate")
        let path = directory.appendingPathComponent("rotate-\(tag).mp4").path
        let made = try runTool("ffmpeg", ["-v", "error", "-y", "-i", media("h264-closedgop.mp4"), "-c", "copy",
                                          "-metadata:s:v:0", "rotate=\(tag)", path])
        #expect(made.status == 0)
        let reader = try VideoReader(path: path)
        #expect(reader.info.rotation == clockwise)
        let frames = try reader.frames(at: [0, 13, 49])
        let reference = try FFmpegReference.rgbFrames(path)
        let frameBytes = 320 * 240 * 3
        #expect(reference.count == 50 * frameBytes)
        for frame in frames {
            #expect(frame.width == (clockwise % 180 == 0 ? 320 : 240))
            let start = frame.index * frameBytes
            #expect(frame.rgb.map { Array($0) } == Array(reference[start..<(start + frameBytes)]), "frame \(frame.index)")
        }
    }

    @Test func copyRotatedOnATinyPicture() {
        // 3 x 2 picture, pixel value = 10 * row + column in every channel:
        //   0  1  2
        //  10 11 12
        let source: [UInt8] = [0, 1, 2, 10, 11, 12].flatMap { [$0, $0, $0] }
        func rotated(_ degrees: Int) -> [UInt8] {
            let out = source.withUnsafeBufferPointer {
                FrameConverter.copyRotated(from: $0.baseAddress!, stride: 9, width: 3, height: 2, rotation: degrees)
            }
            return stride(from: 0, to: out.count, by: 3).map { out[$0] }
        }
        #expect(rotated(0) == [0, 1, 2, 10, 11, 12])
        #expect(rotated(90) == [10, 0, 11, 1, 12, 2])    // 2 wide, 3 high: clockwise
        #expect(rotated(180) == [12, 11, 10, 2, 1, 0])
        #expect(rotated(270) == [2, 12, 1, 11, 0, 10])   // counterclockwise
    }
}
