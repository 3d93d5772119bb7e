import CFFmpeg

/// Writes decoded pictures into a model input. 8-bit planar YUV pictures are resized plane by plane by
/// `PlaneResampler` (torchvision's antialiased uint8 arithmetic, only the rectangle the crops keep), then
/// one pass converts, crops, rotates, normalises and lays the pixels out in the caller's memory.
///
/// Other sources (10-bit, NV12, RGB) take one `sws_scale` call that resizes and converts to RGB24, with
/// swscale's filter with full chroma resolution and accurate rounding
/// (`SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP | SWS_ACCURATE_RND`): without them swscale shares one
/// chroma sample between two output pixels and strong downscales drift several levels from an RGB-domain
/// resize. At the original size the flags are the ffmpeg CLI's (`SWS_BICUBIC`, no resampling), so the
/// bytes equal `ffmpeg -pix_fmt rgb24`.
final class ModelInputConverter {
    private struct ScaleKey: Equatable {
        var sourceWidth: Int32, sourceHeight: Int32, sourceFormat: Int32
        var colorspace: UInt32, colorRange: UInt32
        var width: Int32, height: Int32
        var flags: Int32
    }

    private var scaler: (key: ScaleKey, context: ScaleContext)?
    private var rgb: FrameBuffer?
    /// (byte / 255 - mean) / std per channel, 3 x 256 values.
    private let tables: [Float]
    let plan: ModelInputPlan

    init(plan: ModelInputPlan) {
        self.plan = plan
        let norm = plan.request.normalization
        var tables = [Float](repeating: 0, count: 3 * 256)
        if plan.request.layout != .hwcBytes {
            for c in 0..<3 {
                for b in 0..<256 { tables[c * 256 + b] = (Float(b) / 255 - norm.mean[c]) / norm.std[c] }
            }
        }
        self.tables = tables
    }

    /// Converts `frame` once and writes it into every (clip, t) slot of `slots`.
    func write(_ frame: UnsafePointer<AVFrame>, slots: [(clip: Int, t: Int)], into output: UnsafeMutableRawPointer,
               path: String) throws {
        let source = frame.pointee
        guard source.width > 0, source.height > 0, source.format >= 0 else {
            throw MediaError.corrupt(path: path, reason: "decoder returned a picture without size or pixel format")
        }
        let swapped = plan.rotation % 180 != 0
        let scaledWidth = swapped ? plan.resizedHeight : plan.resizedWidth
        let scaledHeight = swapped ? plan.resizedWidth : plan.resizedHeight
        let resampled = Int(source.width) != scaledWidth || Int(source.height) != scaledHeight
        if resampled, let matrix = yuvMatrix(for: source) {
            try writePlanar(source, matrix: matrix, width: scaledWidth, height: scaledHeight, slots: slots, into: output, path: path)
            return
        }
        let key = ScaleKey(sourceWidth: source.width, sourceHeight: source.height, sourceFormat: source.format,
                           colorspace: source.colorspace.rawValue, colorRange: source.color_range.rawValue,
                           width: Int32(scaledWidth), height: Int32(scaledHeight),
                           flags: resampled ? Self.resamplingFlags(plan.request.filter) : SWS_BICUBIC)
        let context = try scaleContext(for: key, path: path)
        let target = try rgbBuffer(width: scaledWidth, height: scaledHeight, path: path)
        let sourcePlanes: [UnsafePointer<UInt8>?] = withUnsafeBytes(of: source.data) { raw in
            raw.bindMemory(to: UnsafeMutablePointer<UInt8>?.self).map { UnsafePointer($0) }
        }
        let sourceStrides: [Int32] = withUnsafeBytes(of: source.linesize) { Array($0.bindMemory(to: Int32.self)) }
        let targetPlanes: [UnsafeMutablePointer<UInt8>?] = withUnsafeBytes(of: target.pointee.data) {
            Array($0.bindMemory(to: UnsafeMutablePointer<UInt8>?.self))
        }
        let targetStrides: [Int32] = withUnsafeBytes(of: target.pointee.linesize) { Array($0.bindMemory(to: Int32.self)) }
        let rows = sws_scale(context.pointer, sourcePlanes, sourceStrides, 0, source.height, targetPlanes, targetStrides)
        guard rows == Int32(scaledHeight), let base = target.pointee.data.0 else {
            throw MediaError.ffmpeg(path: path, operation: "sws_scale", code: rows, message: "converted \(rows) of \(scaledHeight) rows")
        }
        let walk = Self.walk(base: UnsafePointer(base), stride: Int(target.pointee.linesize.0),
                             width: scaledWidth, height: scaledHeight, rotation: plan.rotation)
        for slot in slots {
            let top = plan.cropTops[slot.clip], left = plan.cropLefts[slot.clip]
            let start = walk.origin + top * walk.rowStep + left * walk.columnStep
            let offsets = plan.channelOffsets(clip: slot.clip, t: slot.t)
            if plan.request.layout == .hwcBytes {
                Self.copyBytes(from: start, rowStep: walk.rowStep, columnStep: walk.columnStep,
                               width: plan.width, height: plan.height,
                               to: output.assumingMemoryBound(to: UInt8.self) + offsets.r)
            } else {
                tables.withUnsafeBufferPointer { table in
                    guard let t = table.baseAddress else { return }
                    let out = output.assumingMemoryBound(to: Float.self)
                    Self.normalise(from: start, rowStep: walk.rowStep, columnStep: walk.columnStep,
                                   width: plan.width, height: plan.height, tables: t,
                                   r: out + offsets.r, g: out + offsets.g, b: out + offsets.b)
                }
            }
        }
    }

    /// 8-bit YUV sources: `PlaneResampler` resizes the Y, U and V planes to the target size, only over the
    /// rectangle the crops keep (torchvision's uint8 antialiased arithmetic per plane; chroma straight to
    /// full resolution), then one pass converts those pixels to RGB with the stream's matrix and range and
    /// writes them out normalised.
    private func writePlanar(_ source: AVFrame, matrix: YUVToRGB, width: Int, height: Int, slots: [(clip: Int, t: Int)],
                             into output: UnsafeMutableRawPointer, path: String) throws {
        let resampler = try planeResampler(source, width: width, height: height, path: path)
        guard resampler.resample(source) else {
            throw MediaError.corrupt(path: path, reason: "decoder returned a planar YUV picture without its three planes")
        }
        let window = resampler.geometry, stride = resampler.stride, planeBytes = resampler.planeBytes
        let y = UnsafePointer(resampler.planes)
        // Walk in elements of one plane (a step of 1 per pixel), the same for the three planes, as if the
        // whole resized picture were there; the window holds the crop's pixels where the whole would.
        let walk = Self.walk(base: y, stride: stride * 3, width: width, height: height, rotation: plan.rotation)
        let origin = (walk.origin - y) / 3 - window.rows.lowerBound * stride - window.columns.lowerBound
        let rowStep = walk.rowStep / 3, columnStep = walk.columnStep / 3
        let lookup = channelLookup(for: matrix)
        let isBytes = plan.request.layout == .hwcBytes
        let planes = (y: y, u: y + planeBytes, v: y + 2 * planeBytes)
        lookup.terms.withUnsafeBufferPointer { termTable in
            lookup.floats.withUnsafeBufferPointer { floatTable in
                lookup.bytes.withUnsafeBufferPointer { byteTable in
                    guard let t = termTable.baseAddress, let f = floatTable.baseAddress, let b = byteTable.baseAddress else { return }
                    for slot in slots {
                        let start = origin + plan.cropTops[slot.clip] * rowStep + plan.cropLefts[slot.clip] * columnStep
                        let offsets = plan.channelOffsets(clip: slot.clip, t: slot.t)
                        if isBytes {
                            Self.convertBytes(planes, start: start, rowStep: rowStep, columnStep: columnStep,
                                              width: plan.width, height: plan.height, terms: t,
                                              clamped: b, to: output.assumingMemoryBound(to: UInt8.self) + offsets.r)
                        } else {
                            let out = output.assumingMemoryBound(to: Float.self) + offsets.r
                            Self.convertFloats(planes, start: start, rowStep: rowStep, columnStep: columnStep,
                                               width: plan.width, height: plan.height, terms: t, normalised: f,
                                               to: out, green: offsets.g - offsets.r, blue: offsets.b - offsets.r)
                        }
                    }
                }
            }
        }
    }

    private struct MatrixKey: Equatable {
        var format: Int32, colorspace: UInt32, colorRange: UInt32
    }

    private var matrix: (key: MatrixKey, value: YUVToRGB?)?

    /// The frame's YUV -> RGB matrix (nil for sources it does not take), made once per pixel format,
    /// colorspace and range rather than per frame: its tables take 1280 values to build.
    private func yuvMatrix(for source: AVFrame) -> YUVToRGB? {
        let key = MatrixKey(format: source.format, colorspace: source.colorspace.rawValue, colorRange: source.color_range.rawValue)
        if let matrix, matrix.key == key { return matrix.value }
        let value = YUVToRGB(frame: source)
        matrix = (key, value)
        return value
    }

    /// Whether 8-bit YUV resizes compute only the rectangle the crops keep; tests turn it off to compare
    /// with the whole resize.
    var resizesCroppedWindow = true

    /// The resampler last used (tests check that a crop cut its window).
    private(set) var resampler: PlaneResampler?

    /// The resampler for `source`'s format and size to the unrotated `width` x `height`, made once per geometry.
    private func planeResampler(_ source: AVFrame, width: Int, height: Int, path: String) throws -> PlaneResampler {
        guard let descriptor = av_pix_fmt_desc_get(AVPixelFormat(rawValue: source.format)) else {
            throw MediaError.corrupt(path: path, reason: "unknown pixel format \(source.format)")
        }
        let kept = resizesCroppedWindow ? keptRectangle(width: width, height: height) : (columns: 0..<width, rows: 0..<height)
        let geometry = PlaneResampler.Geometry(
            sourceWidth: Int(source.width), sourceHeight: Int(source.height),
            chromaShiftX: Int(descriptor.pointee.log2_chroma_w), chromaShiftY: Int(descriptor.pointee.log2_chroma_h),
            width: width, height: height, columns: kept.columns, rows: kept.rows, filter: plan.request.filter)
        if let resampler, resampler.geometry == geometry { return resampler }
        resampler = nil
        guard let made = PlaneResampler(geometry) else {
            throw MediaError.invalidArgument("cannot resize \(source.width)x\(source.height) to \(width)x\(height) (sizes up to 65536)")
        }
        resampler = made
        return made
    }

    /// The columns and rows of the unrotated `width` x `height` resized picture that the crops keep: one
    /// clip's crop, or the smallest rectangle holding every clip's (one resize serves them all).
    private func keptRectangle(width: Int, height: Int) -> (columns: Range<Int>, rows: Range<Int>) {
        var columns = width..<width, rows = height..<height
        for (top, left) in zip(plan.cropTops, plan.cropLefts) {
            let kept = keptRectangle(top: top, left: left, width: width, height: height)
            columns = columns.isEmpty ? kept.columns : min(columns.lowerBound, kept.columns.lowerBound)..<max(columns.upperBound, kept.columns.upperBound)
            rows = rows.isEmpty ? kept.rows : min(rows.lowerBound, kept.rows.lowerBound)..<max(rows.upperBound, kept.rows.upperBound)
        }
        return columns.isEmpty || rows.isEmpty ? (0..<width, 0..<height) : (columns, rows)
    }

    /// The unrotated rectangle one crop at (top, left) of the displayed picture keeps.
    private func keptRectangle(top: Int, left: Int, width: Int, height: Int) -> (columns: Range<Int>, rows: Range<Int>) {
        let w = plan.width, h = plan.height
        switch plan.rotation {
        case 90: return (top..<(top + h), (height - left - w)..<(height - left))   // display (x, y) = (h-1-row, column)
        case 180: return ((width - left - w)..<(width - left), (height - top - h)..<(height - top))
        case 270: return ((width - top - h)..<(width - top), left..<(left + w))    // display (x, y) = (row, w-1-column)
        default: return (left..<(left + w), top..<(top + h))
        }
    }

    /// From a channel's rounded fixed-point value ((sum + 2^15) >> 16, any value the matrix can produce)
    /// straight to the output: the byte clamped to 0...255, or that byte normalised per channel. One
    /// lookup instead of a clamp (branches on noisy pictures) and a second lookup.
    private struct ChannelLookup {
        var matrix: YUVToRGB
        /// The matrix's five tables (Y', Vr, Ug, Vg, Ub) with the rounding term and each channel's place in
        /// `bytes` / `floats` folded in, so that (Y' + Vr) >> 16, (Y' + Ug + Vg) >> 16 and (Y' + Ub) >> 16 are
        /// the R, G and B indices: adding k·2^16 before the shift adds k after it, so each index is the
        /// rounded sum minus the lowest one, plus 0, `count` or 2·`count`. Fewer live values in the loops.
        var terms: [Int32]
        /// R, G, B tables, one entry per rounded sum each (for bytes the same clamp three times).
        var bytes: [UInt8]
        var floats: [Float]
    }

    private var lookup: ChannelLookup?

    private func channelLookup(for matrix: YUVToRGB) -> ChannelLookup {
        if let lookup, lookup.matrix == matrix { return lookup }
        let range = matrix.roundedRange
        let low = range.lowerBound, count = range.upperBound - range.lowerBound + 1
        let clamped = range.map { UInt8(min(max($0, 0), 255)) }
        var floats = [Float](repeating: 0, count: 3 * count)
        for c in 0..<3 {
            for (i, byte) in clamped.enumerated() { floats[c * count + i] = tables[c * 256 + Int(byte)] }
        }
        // Section biases: luma carries the rounding term, Vr / Ug / Ub each channel's table start (Vg none).
        // Tables < 2^26 and count, |low| < 2^11 keep every term and sum below 2^30: Int32 holds them.
        let bias = [1 << 15, -low << 16, (count - low) << 16, 0, (2 * count - low) << 16]
        var terms = [Int32](repeating: 0, count: 5 * 256)
        matrix.withTables { t in
            for k in 0..<5 {
                for i in 0..<256 { terms[k * 256 + i] = Int32(Int(t[k * 256 + i]) + bias[k]) }
            }
        }
        let made = ChannelLookup(matrix: matrix, terms: terms, bytes: clamped + clamped + clamped, floats: floats)
        lookup = made
        return made
    }

    private static func convertFloats(_ planes: (y: UnsafePointer<UInt8>, u: UnsafePointer<UInt8>, v: UnsafePointer<UInt8>),
                                      start: Int, rowStep: Int, columnStep: Int, width: Int, height: Int,
                                      terms t: UnsafePointer<Int32>, normalised n: UnsafePointer<Float>,
                                      to out: UnsafeMutablePointer<Float>, green: Int, blue: Int) {
        let (y, u, v) = planes
        for row in 0..<height {
            var p = start &+ row &* rowStep
            var o = row &* width
            for _ in 0..<width {
                let luma = t[Int(y[p])], uu = Int(u[p]), vv = Int(v[p])
                out[o] = n[Int((luma &+ t[256 &+ vv]) >> 16)]
                out[o &+ green] = n[Int((luma &+ t[512 &+ uu] &+ t[768 &+ vv]) >> 16)]
                out[o &+ blue] = n[Int((luma &+ t[1024 &+ uu]) >> 16)]
                o &+= 1
                p &+= columnStep
            }
        }
    }

    private static func convertBytes(_ planes: (y: UnsafePointer<UInt8>, u: UnsafePointer<UInt8>, v: UnsafePointer<UInt8>),
                                     start: Int, rowStep: Int, columnStep: Int, width: Int, height: Int,
                                     terms t: UnsafePointer<Int32>, clamped c: UnsafePointer<UInt8>,
                                     to out: UnsafeMutablePointer<UInt8>) {
        let (y, u, v) = planes
        for row in 0..<height {
            var p = start &+ row &* rowStep
            var d = out + row &* width &* 3
            for _ in 0..<width {
                let luma = t[Int(y[p])], uu = Int(u[p]), vv = Int(v[p])
                d[0] = c[Int((luma &+ t[256 &+ vv]) >> 16)]
                d[1] = c[Int((luma &+ t[512 &+ uu] &+ t[768 &+ vv]) >> 16)]
                d[2] = c[Int((luma &+ t[1024 &+ uu]) >> 16)]
                d += 3
                p &+= columnStep
            }
        }
    }

    /// Where displayed pixel (0, 0) lies in the unrotated RGB24 picture, and the byte steps to the next
    /// displayed row and column (negative for flipped axes): rotation costs nothing extra.
    static func walk(base: UnsafePointer<UInt8>, stride: Int, width: Int, height: Int, rotation: Int)
        -> (origin: UnsafePointer<UInt8>, rowStep: Int, columnStep: Int)
    {
        switch rotation {
        case 90: return (base + (height - 1) * stride, 3, -stride)              // out[y][x] = in[h-1-x][y]
        case 180: return (base + (height - 1) * stride + (width - 1) * 3, -stride, -3)
        case 270: return (base + (width - 1) * 3, -3, stride)                   // out[y][x] = in[x][w-1-y]
        default: return (base, stride, 3)
        }
    }

    private static func copyBytes(from start: UnsafePointer<UInt8>, rowStep: Int, columnStep: Int, width: Int, height: Int,
                                  to out: UnsafeMutablePointer<UInt8>) {
        for y in 0..<height {
            let row = start + y * rowStep, dst = out + y * width * 3
            if columnStep == 3 {
                dst.update(from: row, count: width * 3)
            } else {
                for x in 0..<width {
                    let s = row + x * columnStep, d = dst + 3 * x
                    d[0] = s[0]; d[1] = s[1]; d[2] = s[2]
                }
            }
        }
    }

    private static func normalise(from start: UnsafePointer<UInt8>, rowStep: Int, columnStep: Int, width: Int, height: Int,
                                  tables: UnsafePointer<Float>,
                                  r: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>) {
        let tr = tables, tg = tables + 256, tb = tables + 512
        for y in 0..<height {
            let row = start + y * rowStep, o = y * width
            if columnStep == 3 {
                for x in 0..<width {
                    let s = row + 3 &* x
                    r[o &+ x] = tr[Int(s[0])]
                    g[o &+ x] = tg[Int(s[1])]
                    b[o &+ x] = tb[Int(s[2])]
                }
            } else {
                for x in 0..<width {
                    let s = row + x &* columnStep
                    r[o &+ x] = tr[Int(s[0])]
                    g[o &+ x] = tg[Int(s[1])]
                    b[o &+ x] = tb[Int(s[2])]
                }
            }
        }
    }

    static func resamplingFlags(_ filter: ModelInputRequest.Filter) -> Int32 {
        let quality = SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP | SWS_ACCURATE_RND
        switch filter {
        case .bilinear: return SWS_BILINEAR | quality
        case .bicubic: return SWS_BICUBIC | quality
        case .area: return SWS_AREA | quality
        }
    }

    private func scaleContext(for key: ScaleKey, path: String) throws -> ScaleContext {
        if let scaler, scaler.key == key { return scaler.context }
        scaler = nil
        guard let pointer = sws_getContext(key.sourceWidth, key.sourceHeight, AVPixelFormat(rawValue: key.sourceFormat),
                                           key.width, key.height, AV_PIX_FMT_RGB24, key.flags, nil, nil, nil) else {
            let name = av_get_pix_fmt_name(AVPixelFormat(rawValue: key.sourceFormat)).map { String(cString: $0) } ?? "\(key.sourceFormat)"
            throw MediaError.unsupportedCodec(path: path, codec: "pixel format \(name) (swscale cannot convert it to RGB)")
        }
        let context = ScaleContext(pointer: pointer)
        FrameConverter.applyColorDetails(pointer, colorspace: key.colorspace, colorRange: key.colorRange)
        scaler = (key, context)
        return context
    }

    private func rgbBuffer(width: Int, height: Int, path: String) throws -> UnsafeMutablePointer<AVFrame> {
        let buffer = try FrameBuffer.rgb24(reusing: rgb, width: width, height: height, path: path)
        rgb = buffer
        return buffer.pointer
    }
}
