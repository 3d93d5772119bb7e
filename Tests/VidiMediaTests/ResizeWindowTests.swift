import Testing
@testable import VidiMedia
import VidiTestSupport

/// Resizing only the rectangle the crops keep (`PlaneResampler`'s window): the cropped pixels against the
/// same crop of the whole resize (`resizesCroppedWindow = false`, the same resampler over the whole
/// picture). Every output pixel is computed from the source alone, so the two are equal byte for byte;
/// the resampler's own pixels are checked against torchvision in `PlaneResampleTests`.
@Suite struct ResizeWindowTests {
    @Test(arguments: [
        ("h264-bt709-hd.mp4", ModelInputRequest(frames: .uniform(count: 3), resize: .shorterSide(224),
                                                crop: .center(width: 224, height: 224), layout: .hwcBytes)),
        ("mjpeg.avi", ModelInputRequest(frames: .uniform(count: 3), resize: .shorterSide(120),
                                        crop: .center(width: 112, height: 112), layout: .hwcBytes, filter: .bicubic)),
        ("h264-bt601-sd.mp4", ModelInputRequest(frames: .uniform(count: 3), resize: .fixed(width: 298, height: 224),
                                                crop: .center(width: 224, height: 224), layout: .hwcBytes, filter: .area)),
        ("h264-bt601-sd.mp4", ModelInputRequest(frames: .uniform(count: 3), resize: .fixed(width: 224, height: 360),
                                                crop: .center(width: 224, height: 224), layout: .hwcBytes)),
        ("rotated-90.mp4", ModelInputRequest(frames: .uniform(count: 3), resize: .fixed(width: 96, height: 200),
                                             crop: .center(width: 96, height: 96), layout: .hwcBytes)),
        ("odd-321x241.mp4", ModelInputRequest(frames: .randomClips(count: 3, length: 2, stride: 1, seed: 5), resize: .shorterSide(100),
                                              crop: .random(width: 64, height: 48, seed: 5), layout: .hwcBytes, filter: .bicubic)),
    ])
    func windowedResizeEqualsTheWholeResize(_ file: String, _ request: ModelInputRequest) throws {
        let reader = try VideoReader(path: media(file))
        let plan = try reader.modelInputPlan(request)
        func pixels(window: Bool) throws -> [UInt8] {
            let converter = ModelInputConverter(plan: plan)
            converter.resizesCroppedWindow = window
            let bytes = try [UInt8](unsafeUninitializedCapacity: plan.byteCount) { buffer, initialized in
                try reader.fillModelInput(plan, into: UnsafeMutableRawBufferPointer(buffer), converter: converter)
                initialized = plan.byteCount
            }
            let g = try #require(converter.resampler).geometry
            let whole = g.columns.count == g.width && g.rows.count == g.height
            #expect(whole != window, "the crop should have cut the window (and only then)")
            return bytes
        }
        let whole = try pixels(window: false), windowed = try pixels(window: true)
        #expect(windowed == whole)
    }
}
