import CFFmpeg

/// Writes decoded pictures into a model input: one `sws_scale` call resizes in the decoder's YUV planes
/// and converts the small picture to RGB, then one pass crops, rotates, normalises and lays the pixels
/// out in the caller's memory.
///
/// Resizing uses swscale's filter with full chroma resolution and accurate rounding
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
        if let rgb, rgb.pointer.pointee.width == Int32(width), rgb.pointer.pointee.height == Int32(height) {
            return rgb.pointer
        }
        rgb = nil
        let buffer = try FrameBuffer()
        buffer.pointer.pointee.width = Int32(width)
        buffer.pointer.pointee.height = Int32(height)
        buffer.pointer.pointee.format = AV_PIX_FMT_RGB24.rawValue
        try check(av_frame_get_buffer(buffer.pointer, 0), "av_frame_get_buffer", path: path)
        rgb = buffer
        return buffer.pointer
    }
}
