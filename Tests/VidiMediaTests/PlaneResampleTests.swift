import CYUVConvert
import Testing
import VidiFormats
import VidiTestSupport

/// The 8-bit plane resampler (`plane_resample.h`) against `Tools/make_plane_resample_goldens.py`: torchvision
/// v2 `resize(antialias=True)` on uint8 planes (bilinear, bicubic) and PIL `BOX` (area), full resizes that
/// the tests crop to each window. Bilinear and bicubic must be equal byte for byte; area within 1 level
/// (PIL's box weights are int32 with 22 bits where this resampler uses torchvision's int16 weights).
@Suite struct PlaneResampleTests {
    static let geometries = ["odd_down", "up", "down_up", "same_height", "same_width", "tiny", "luma_360p",
                             "chroma_360p", "strong_down"]
    static let filters: [(String, VidiResampleFilter)] = [
        ("bilinear", VIDI_RESAMPLE_BILINEAR), ("bicubic", VIDI_RESAMPLE_BICUBIC), ("area", VIDI_RESAMPLE_BOX),
    ]

    static func plane(_ name: String) throws -> (bytes: [UInt8], height: Int, width: Int) {
        let array = try NPZFile(path: Fixtures.path("golden/model-input/plane_resample.npz")).array(named: name)
        precondition(array.descr == "|u1" && array.shape.count == 2)
        return ([UInt8](array.data), array.shape[0], array.shape[1])
    }

    /// Windows of an `n`-pixel axis: all of it, the middle, the last pixels (where the SIMD kernel moves
    /// its reads left to stay inside the row), the first pixel.
    static func windows(_ n: Int) -> [Range<Int>] {
        var w = [0..<n, (n / 4)..<max(n / 4 + 1, n * 3 / 4), max(0, n - 9)..<n, 0..<1]
        if n > 20 { w.append((n - 20)..<(n - 3)) }
        return w
    }

    /// Resizes `source` over the window with padded strides; checks the padding stays untouched.
    static func resample(_ source: (bytes: [UInt8], height: Int, width: Int), to size: (height: Int, width: Int),
                         columns: Range<Int>, rows: Range<Int>, filter: VidiResampleFilter, simd: Bool) throws -> [UInt8] {
        var x = VidiResampleAxis(), y = VidiResampleAxis()
        defer { vidi_resample_axis_free(&x); vidi_resample_axis_free(&y) }
        try #require(vidi_resample_axis_init(&x, Int32(source.width), Int32(size.width), Int32(columns.lowerBound), Int32(columns.count), filter) == 0)
        try #require(vidi_resample_axis_init(&y, Int32(source.height), Int32(size.height), Int32(rows.lowerBound), Int32(rows.count), filter) == 0)
        let sourceStride = source.width + 7, outputStride = columns.count + 5
        var padded = [UInt8](repeating: 99, count: sourceStride * source.height)
        for r in 0..<source.height {
            padded[(r * sourceStride)..<(r * sourceStride + source.width)] = source.bytes[(r * source.width)..<((r + 1) * source.width)]
        }
        var output = [UInt8](repeating: 0xA5, count: outputStride * rows.count)
        var scratch = [UInt8](repeating: 0, count: max(1, vidi_resample_scratch_size(&x, &y)))
        vidi_resample_plane(padded, sourceStride, &x, &y, &output, outputStride, &scratch, simd ? 1 : 0)
        var window = [UInt8]()
        for r in 0..<rows.count {
            window += output[(r * outputStride)..<(r * outputStride + columns.count)]
            #expect(output[(r * outputStride + columns.count)..<((r + 1) * outputStride)].allSatisfy { $0 == 0xA5 },
                    "wrote past the window's row")
        }
        return window
    }

    @Test(arguments: geometries)
    func windowsEqualTorchvisionCropped(_ geometry: String) throws {
        let source = try Self.plane("\(geometry)_source")
        let kernels = vidi_yuv_avx2_available() != 0 ? [false, true] : [false]
        for (name, filter) in Self.filters {
            let golden = try Self.plane("\(geometry)_\(name)")
            for columns in Self.windows(golden.width) {
                for rows in Self.windows(golden.height) {
                    var expected = [UInt8]()
                    for r in rows { expected += golden.bytes[(r * golden.width + columns.lowerBound)..<(r * golden.width + columns.upperBound)] }
                    for simd in kernels {
                        let ours = try Self.resample(source, to: (golden.height, golden.width), columns: columns, rows: rows,
                                                     filter: filter, simd: simd)
                        let largest = zip(ours, expected).map { abs(Int($0) - Int($1)) }.max() ?? 0
                        #expect(largest <= (filter == VIDI_RESAMPLE_BOX ? 1 : 0),
                                "\(geometry) \(name) columns \(columns) rows \(rows) simd \(simd): off by \(largest)")
                    }
                }
            }
        }
    }

    @Test func rejectsBadSizesAndWindows() {
        var axis = VidiResampleAxis()
        #expect(vidi_resample_axis_init(&axis, 0, 10, 0, 10, VIDI_RESAMPLE_BILINEAR) == -1)
        #expect(vidi_resample_axis_init(&axis, 10, 0, 0, 1, VIDI_RESAMPLE_BILINEAR) == -1)
        #expect(vidi_resample_axis_init(&axis, 10, 5, 3, 3, VIDI_RESAMPLE_BILINEAR) == -1)   // past the output
        #expect(vidi_resample_axis_init(&axis, 10, 5, -1, 2, VIDI_RESAMPLE_BILINEAR) == -1)
        #expect(vidi_resample_axis_init(&axis, 10, 5, 0, 0, VIDI_RESAMPLE_BILINEAR) == -1)
        #expect(vidi_resample_axis_init(&axis, 70000, 5, 0, 5, VIDI_RESAMPLE_BILINEAR) == -1)
        #expect(vidi_resample_axis_init(&axis, 10, 5, 0, 5, VidiResampleFilter(rawValue: 7)) == -1)
        vidi_resample_axis_free(&axis)
    }
}
