import Testing
@testable import VidiMedia
import VidiTestSupport

/// Resizing only the span a crop keeps (`ResizeWindow`): the search's spans against its own position
/// model, and the cropped pixels against the same crop of swscale's whole resize (the previous path, kept
/// behind `resizesCroppedSpan = false`): swscale itself is the reference.
@Suite struct ResizeWindowTests {
    /// (source, resized, kept) per axis: 360p and 1080p to 224² and 112² CLIP/clip crops, 720p, and an
    /// exact 2:1 (the span lands on the whole resize's points exactly).
    static let geometries: [(Int, Int, Range<Int>)] = [
        (640, 398, 87..<311), (1920, 398, 87..<311), (640, 227, 57..<169), (1920, 227, 57..<169),
        (1280, 398, 87..<311), (320, 160, 24..<136),
    ]

    @Test func spansAreNarrowerAndWithinTolerance() throws {
        for (source, resized, kept) in Self.geometries {
            let span = try #require(ResizeWindow.search(source: source, resized: resized, kept: kept, chromaShift: 1),
                                    "\(source) -> \(resized), kept \(kept)")
            #expect(span.outputLength * 8 <= resized * 7)
            #expect(span.outputStart == 0 || span.outputStart + ResizeWindow.margin <= kept.lowerBound)
            let end = span.outputStart + span.outputLength
            #expect(end == resized || end >= kept.upperBound + ResizeWindow.margin)
            #expect(span.sourceStart % 2 == 0 && span.sourceStart + span.sourceLength <= source)
            #expect(span.error(source: source, resized: resized, kept: kept, shift: 0) <= ResizeWindow.tolerance)
            #expect(span.error(source: (source + 1) / 2, resized: resized, kept: kept, shift: 1) <= ResizeWindow.tolerance)
        }
        // Exact halving: the span starts on a source pixel the whole resize also starts an output on.
        let half = try #require(ResizeWindow.search(source: 320, resized: 160, kept: 24..<136, chromaShift: 1))
        #expect(half.error(source: 320, resized: 160, kept: 24..<136, shift: 0) == 0)
    }

    @Test func noSpanWithoutADownscaleOrACutWorthIt() {
        #expect(ResizeWindow.search(source: 320, resized: 640, kept: 100..<300, chromaShift: 1) == nil)  // upscale
        #expect(ResizeWindow.search(source: 640, resized: 224, kept: 8..<216, chromaShift: 1) == nil)    // keeps 93%
        #expect(ResizeWindow.search(source: 640, resized: 398, kept: 0..<398, chromaShift: 1) == nil)
    }

    /// The same requests with and without spans: the crop's pixels differ by at most a level or two at
    /// sharp edges (a position error ≤ 0.01 output pixels) and almost nowhere.
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
    ])
    func spannedResizeMatchesTheWholeResize(_ file: String, _ request: ModelInputRequest) throws {
        let reader = try VideoReader(path: media(file))
        let plan = try reader.modelInputPlan(request)
        func pixels(spans: Bool) throws -> [Double] {
            let converter = ModelInputConverter(plan: plan)
            converter.resizesCroppedSpan = spans
            let bytes = try [UInt8](unsafeUninitializedCapacity: plan.byteCount) { buffer, initialized in
                try reader.fillModelInput(plan, into: UnsafeMutableRawBufferPointer(buffer), converter: converter)
                initialized = plan.byteCount
            }
            if spans {
                let span = try #require(converter.span)
                #expect(span.value.x.sourceLength < Int(span.key.sourceWidth) || span.value.y.sourceLength < Int(span.key.sourceHeight),
                        "the crop should have cut the resize")
            }
            return bytes.map(Double.init)
        }
        let whole = try pixels(spans: false), spanned = try pixels(spans: true)
        let d = ModelInputGoldens.LevelDifference(spanned, whole)
        print("\(file) \(request.resize) \(request.crop): spanned vs whole \(d)")
        #expect(d.max <= 3 && d.mean <= 0.05, "\(d)")
    }
}
