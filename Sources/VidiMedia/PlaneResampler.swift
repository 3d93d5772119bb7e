import CFFmpeg
import CYUVConvert

/// Resizes the Y, U and V planes of 8-bit planar YUV pictures to one output size, computing only an output
/// window (the pixels a crop keeps), with torchvision's uint8 `resize(antialias=True)` arithmetic
/// (`plane_resample.h`): each plane's window equals torchvision's resize of that plane, cropped.
///
/// Chroma planes are resized straight to the luma output size, their samples taken as centre-sited
/// (sample j of a plane n times narrower covers luma pixels [n j, n j + n)), as swscale's 4:4:4 output of
/// the previous path placed them; the stream's chroma location is not read.
final class PlaneResampler {
    struct Geometry: Equatable {
        var sourceWidth: Int, sourceHeight: Int
        /// log2 of the chroma subsampling per axis.
        var chromaShiftX: Int, chromaShiftY: Int
        var width: Int, height: Int
        /// The output window: columns and rows of the `width` x `height` picture.
        var columns: Range<Int>, rows: Range<Int>
        var filter: ModelInputRequest.Filter
    }

    let geometry: Geometry
    // Owned: deinit frees their arrays.
    private var lumaX: VidiResampleAxis, lumaY: VidiResampleAxis
    private var chromaX: VidiResampleAxis, chromaY: VidiResampleAxis
    private let scratch: UnsafeMutablePointer<UInt8>
    /// The three window planes, one after another, `stride` bytes per row, `planeBytes` apart.
    let planes: UnsafeMutablePointer<UInt8>
    let stride: Int, planeBytes: Int
    private let simd = vidi_yuv_avx2_available() != 0

    /// nil when a size or the window is out of range (the caller keeps swscale then).
    init?(_ geometry: Geometry) {
        self.geometry = geometry
        let g = geometry
        guard g.sourceWidth > 0, g.sourceHeight > 0, (0...2).contains(g.chromaShiftX), (0...2).contains(g.chromaShiftY),
              !g.columns.isEmpty, !g.rows.isEmpty, g.columns.lowerBound >= 0, g.rows.lowerBound >= 0,
              g.columns.upperBound <= g.width, g.rows.upperBound <= g.height else { return nil }
        let filter: VidiResampleFilter = switch g.filter {
        case .bilinear: VIDI_RESAMPLE_BILINEAR
        case .bicubic: VIDI_RESAMPLE_BICUBIC
        case .area: VIDI_RESAMPLE_BOX
        }
        // Chroma planes round their size up (a 641-pixel row has 321 samples at 4:2:0).
        let chromaWidth = -((-g.sourceWidth) >> g.chromaShiftX), chromaHeight = -((-g.sourceHeight) >> g.chromaShiftY)
        var axes = [VidiResampleAxis](repeating: VidiResampleAxis(), count: 4)
        let sizes = [(g.sourceWidth, g.width, g.columns), (g.sourceHeight, g.height, g.rows),
                     (chromaWidth, g.width, g.columns), (chromaHeight, g.height, g.rows)]
        var failed = false
        for (i, (input, output, window)) in sizes.enumerated() {
            failed = failed || vidi_resample_axis_init(&axes[i], Int32(input), Int32(output), Int32(window.lowerBound),
                                                       Int32(window.count), filter) != 0
        }
        (lumaX, lumaY, chromaX, chromaY) = (axes[0], axes[1], axes[2], axes[3])
        let scratchBytes = max(vidi_resample_scratch_size(&axes[0], &axes[1]), vidi_resample_scratch_size(&axes[2], &axes[3]), 1)
        stride = g.columns.count
        planeBytes = stride * g.rows.count
        scratch = .allocate(capacity: scratchBytes)
        planes = .allocate(capacity: 3 * planeBytes)
        if failed { return nil }  // deinit frees what was made
    }

    deinit {
        vidi_resample_axis_free(&lumaX)
        vidi_resample_axis_free(&lumaY)
        vidi_resample_axis_free(&chromaX)
        vidi_resample_axis_free(&chromaY)
        scratch.deallocate()
        planes.deallocate()
    }

    /// Resizes `source`'s three planes into `planes` (Y, then U, then V); false when a plane is missing.
    func resample(_ source: AVFrame) -> Bool {
        guard let y = source.data.0, let u = source.data.1, let v = source.data.2 else { return false }
        resample(y, Int(source.linesize.0), lumaX, lumaY, into: planes)
        resample(u, Int(source.linesize.1), chromaX, chromaY, into: planes + planeBytes)
        resample(v, Int(source.linesize.2), chromaX, chromaY, into: planes + 2 * planeBytes)
        return true
    }

    private func resample(_ plane: UnsafePointer<UInt8>, _ planeStride: Int, _ x: VidiResampleAxis, _ y: VidiResampleAxis,
                          into output: UnsafeMutablePointer<UInt8>) {
        withUnsafePointer(to: x) { x in
            withUnsafePointer(to: y) { y in
                vidi_resample_plane(plane, planeStride, x, y, output, stride, scratch, simd ? 1 : 0)
            }
        }
    }
}
