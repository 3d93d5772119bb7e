import Foundation
import Testing
import VidiMedia
import VidiTestSupport

/// `forEachModelInputFrame` (frames one at a time, what `vidi frames` and the pipeline's frame stages use)
/// and `FrameSampler.keyframes`. The pixels themselves are checked against torchvision by
/// `ModelInputGoldenTests`; here the streaming call must give the same values as `modelInput`, in display
/// order, and the keyframes must be ffprobe's key frames with the ffmpeg CLI's pixels.
@Suite struct ModelInputFrameStreamTests {
    @Test(arguments: [ModelInputRequest.Layout.hwcBytes, .chw])
    func streamedFramesEqualTheBatch(_ layout: ModelInputRequest.Layout) throws {
        let request = ModelInputRequest(frames: .clips([[40, 3, 17, 3]]), resize: .shorterSide(60),
                                        crop: .center(width: 56, height: 50), layout: layout, normalization: .imageNet)
        let batch = try VideoReader(path: media("h264-bframes-opengop.mp4")).modelInput(request)
        var streamed: [Frame] = []
        try VideoReader(path: media("h264-bframes-opengop.mp4")).forEachModelInputFrame(request) { streamed.append($0) }
        // Each distinct frame once, in display order.
        #expect(streamed.map(\.index) == [3, 17, 40])
        #expect(streamed.allSatisfy { $0.width == 56 && $0.height == 50 })
        let size = 56 * 50 * 3
        for (slot, index) in [40, 3, 17].enumerated() {
            let frame = try #require(streamed.first { $0.index == index })
            if layout == .hwcBytes {
                #expect(frame.rgb.map { $0[...] } == batch.bytes?[(slot * size)..<((slot + 1) * size)], "frame \(index)")
            } else {
                #expect(frame.planar.map { $0[...] } == batch.floats?[(slot * size)..<((slot + 1) * size)], "frame \(index)")
            }
        }
    }

    @Test func batchLayoutsAndRandomCropsAreRefused() throws {
        let reader = try VideoReader(path: media("h264-closedgop.mp4"))
        #expect(throws: MediaError.self) {
            try reader.forEachModelInputFrame(ModelInputRequest(frames: .uniform(count: 2), layout: .tchw)) { _ in }
        }
        #expect(throws: MediaError.self) {
            try reader.forEachModelInputFrame(ModelInputRequest(frames: .uniform(count: 2), crop: .random(width: 8, height: 8, seed: 1),
                                                                layout: .hwcBytes)) { _ in }
        }
    }

    /// Keyframes are decoded each on its own after a seek to its packet; the raw H.264 stream (no
    /// timestamps, so no seeking) takes one pass with non-key packets withheld. Either way: ffprobe's key
    /// frames, in display order, with the pixels of the ffmpeg CLI's `-pix_fmt rgb24` decode.
    @Test(arguments: ["h264-bframes-opengop.mp4", "h264-closedgop.mp4", "hevc.mp4", "mjpeg.avi", "raw.h264"])
    func keyframesAreFFprobesWithFFmpegsPixels(_ name: String) throws {
        let path = name == "raw.h264"
            ? try ContainerVariantTests.remux("h264-bframes-opengop.mp4", to: name, ["-bsf:v", "h264_mp4toannexb"])
            : media(name)
        let probed = try FFmpegReference.frames(path)
        let keys = probed.indices.filter { probed[$0].isKeyframe }
        let reader = try VideoReader(path: path)
        let input = try reader.modelInput(ModelInputRequest(frames: .keyframes, layout: .hwcBytes))
        #expect(input.clips == [keys])
        var streamed: [Int] = []
        try reader.forEachModelInputFrame(ModelInputRequest(frames: .keyframes, layout: .hwcBytes)) { streamed.append($0.index) }
        #expect(streamed == keys)
        let (width, height) = (reader.info.width, reader.info.height)
        let all = try runTool("ffmpeg", ["-v", "error", "-nostdin", "-i", path, "-fps_mode", "passthrough",
                                         "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]).stdout
        let size = width * height * 3
        let bytes = try #require(input.bytes)
        for (slot, index) in keys.enumerated() {
            #expect(Array(bytes[(slot * size)..<((slot + 1) * size)]) == Array(all[(index * size)..<((index + 1) * size)]),
                    "\(name) keyframe \(index)")
        }
    }
}
