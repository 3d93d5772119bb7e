import CFFmpeg

/// Turns decoded pictures into owned RGB pixels: one `sws_scale` call does colour conversion and resize
/// together, then rotation is applied as an exact transpose/flip while copying out of swscale's padded
/// buffer. Where swscale would use its unscaled SSSE3 converter (full-size yuv420p/yuv422p, even height),
/// `UnscaledRGBKernel` produces the same bytes at about half the cost.
///
/// swscale is set up the way the ffmpeg CLI's auto-inserted scale filter (FFmpeg 5.1 `vf_scale`) sets
/// it up — `SWS_BICUBIC`, YCbCr matrix from the frame's colorspace (BT.601 when unspecified), input range
/// from the frame — so unrotated output equals `ffmpeg -i F -f rawvideo -pix_fmt rgb24` byte for byte.
final class FrameConverter {
    private struct ScaleKey: Equatable {
        var sourceWidth: Int32, sourceHeight: Int32, sourceFormat: Int32
        var colorspace: UInt32, colorRange: UInt32
        var width: Int32, height: Int32
        var flags: Int32
    }

    /// The SwsContext is reused while the key stays the same (one per reader in practice), with the
    /// kernel that replaces it when it can.
    private var scaler: (key: ScaleKey, context: ScaleContext, kernel: UnscaledRGBKernel?)?
    /// false: always swscale (tests compare the two).
    private let allowsKernel: Bool
    /// swscale writes whole SIMD blocks past the row end, so it gets FFmpeg's padded buffer, not ours
    /// (except in `scaleDirectly`, where rows end on block boundaries).
    private var rgb: FrameBuffer?

    init(allowsKernel: Bool = true) {
        self.allowsKernel = allowsKernel
    }

    /// Whether the last `convert` used `UnscaledRGBKernel` rather than swscale.
    private(set) var lastUsedKernel = false

    /// Largest output side accepted; bigger requests are almost certainly mistakes.
    static let maximumSide = 16384

    /// Checks the caller's output request on its own (before any decoding).
    static func validate(_ output: FrameOutput) throws {
        switch output.size {
        case .original: break
        case .shorterSide(let side):
            guard side > 0, side <= maximumSide else {
                throw MediaError.invalidArgument("shorter side must be in 1...\(maximumSide), got \(side)")
            }
        case .exact(let w, let h):
            guard w > 0, h > 0, w <= maximumSide, h <= maximumSide else {
                throw MediaError.invalidArgument("output size must be in 1...\(maximumSide) per side, got \(w)x\(h)")
            }
        }
    }

    /// The output size (width, height) after resize and rotation for a `width` x `height` coded picture.
    static func outputSize(width: Int, height: Int, rotation: Int, output: FrameOutput) throws -> (width: Int, height: Int) {
        try validate(output)
        guard width > 0, height > 0 else {
            throw MediaError.invalidArgument("cannot size output for a \(width)x\(height) picture")
        }
        let swapped = output.applyRotation && rotation % 180 != 0
        let displayWidth = swapped ? height : width, displayHeight = swapped ? width : height
        switch output.size {
        case .original:
            return (displayWidth, displayHeight)
        case .exact(let w, let h):
            return (w, h)
        case .shorterSide(let side):
            let short = Double(min(displayWidth, displayHeight)), long = Double(max(displayWidth, displayHeight))
            let scaled = (long * Double(side) / short).rounded()
            guard scaled >= 1, scaled <= Double(maximumSide) else {
                throw MediaError.invalidArgument("shorter side \(side) makes the longer side of a \(displayWidth)x\(displayHeight) picture \(scaled) pixels")
            }
            return displayWidth <= displayHeight ? (side, Int(scaled)) : (Int(scaled), side)
        }
    }

    func convert(_ frame: UnsafePointer<AVFrame>, output: FrameOutput, rotation: Int, path: String) throws
        -> (width: Int, height: Int, pixels: FramePixels)
    {
        let source = frame.pointee
        guard source.width > 0, source.height > 0, source.format >= 0 else {
            throw MediaError.corrupt(path: path, reason: "decoder returned a picture without size or pixel format")
        }
        let turn = output.applyRotation ? rotation : 0
        let (width, height) = try Self.outputSize(width: Int(source.width), height: Int(source.height), rotation: turn, output: output)
        // swscale produces the unrotated picture; rotation then swaps the sides.
        let scaledWidth = turn % 180 == 0 ? width : height
        let scaledHeight = turn % 180 == 0 ? height : width
        let key = ScaleKey(sourceWidth: source.width, sourceHeight: source.height, sourceFormat: source.format,
                           colorspace: source.colorspace.rawValue, colorRange: source.color_range.rawValue,
                           width: Int32(scaledWidth), height: Int32(scaledHeight),
                           flags: Self.swscaleFlags(output.interpolation))
        let (context, kernel) = try scaleContext(for: key, path: path)
        lastUsedKernel = kernel != nil
        if let kernel {
            let bytes = try kernel.convert(frame, path: path)
            let turned = turn == 0 ? bytes : bytes.withUnsafeBufferPointer { unrotated in
                unrotated.baseAddress.map {
                    Self.copyRotated(from: $0, stride: scaledWidth * 3, width: scaledWidth, height: scaledHeight, rotation: turn)
                } ?? []
            }
            return (width, height, Self.pixels(turned, output.layout, width: width, height: height))
        }
        let sourcePlanes: [UnsafePointer<UInt8>?] = withUnsafeBytes(of: source.data) { raw in
            raw.bindMemory(to: UnsafeMutablePointer<UInt8>?.self).map { UnsafePointer($0) }
        }
        let sourceStrides: [Int32] = withUnsafeBytes(of: source.linesize) { Array($0.bindMemory(to: Int32.self)) }
        if turn == 0 && scaledWidth % 16 == 0 {
            let bytes = try Self.scaleDirectly(context, sourcePlanes, sourceStrides, sourceHeight: source.height,
                                               width: scaledWidth, height: scaledHeight, path: path)
            return (width, height, Self.pixels(bytes, output.layout, width: width, height: height))
        }
        let target = try rgbBuffer(width: scaledWidth, height: scaledHeight, path: path)
        let targetPlanes: [UnsafeMutablePointer<UInt8>?] = withUnsafeBytes(of: target.pointee.data) {
            Array($0.bindMemory(to: UnsafeMutablePointer<UInt8>?.self))
        }
        let targetStrides: [Int32] = withUnsafeBytes(of: target.pointee.linesize) { Array($0.bindMemory(to: Int32.self)) }
        let rows = sws_scale(context.pointer, sourcePlanes, sourceStrides, 0, source.height, targetPlanes, targetStrides)
        guard rows == Int32(scaledHeight), let base = target.pointee.data.0 else {
            throw MediaError.ffmpeg(path: path, operation: "sws_scale", code: rows, message: "converted \(rows) of \(scaledHeight) rows")
        }
        let bytes = Self.copyRotated(from: base, stride: Int(target.pointee.linesize.0),
                                     width: scaledWidth, height: scaledHeight, rotation: turn)
        return (width, height, Self.pixels(bytes, output.layout, width: width, height: height))
    }

    private static func pixels(_ bytes: [UInt8], _ layout: FrameOutput.Layout, width: Int, height: Int) -> FramePixels {
        switch layout {
        case .rgb8: return .rgb8(bytes)
        case .planarFloat: return .planarFloat(planarFloats(bytes, width: width, height: height))
        }
    }

    /// Unrotated output whose width is a multiple of 16 pixels: swscale writes straight into the returned
    /// array, saving a full-frame copy (about 8% of 1080p decode + RGB). Rows are 48-byte multiples, so
    /// SIMD blocks end at row ends; 64 spare bytes of capacity absorb any write past the last row.
    private static func scaleDirectly(_ context: ScaleContext, _ sourcePlanes: [UnsafePointer<UInt8>?],
                                      _ sourceStrides: [Int32], sourceHeight: Int32, width: Int, height: Int,
                                      path: String) throws -> [UInt8] {
        var rows: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: width * height * 3 + 64) { out, initialized in
            let planes: [UnsafeMutablePointer<UInt8>?] = [out.baseAddress, nil, nil, nil]
            let strides: [Int32] = [Int32(width * 3), 0, 0, 0]
            rows = sws_scale(context.pointer, sourcePlanes, sourceStrides, 0, sourceHeight, planes, strides)
            initialized = rows == Int32(height) ? width * height * 3 : 0
        }
        guard rows == Int32(height) else {
            throw MediaError.ffmpeg(path: path, operation: "sws_scale", code: rows, message: "converted \(rows) of \(height) rows")
        }
        return bytes
    }

    private func scaleContext(for key: ScaleKey, path: String) throws -> (ScaleContext, UnscaledRGBKernel?) {
        if let scaler, scaler.key == key { return (scaler.context, scaler.kernel) }
        scaler = nil
        guard let pointer = sws_getContext(key.sourceWidth, key.sourceHeight, AVPixelFormat(rawValue: key.sourceFormat),
                                           key.width, key.height, AV_PIX_FMT_RGB24, key.flags, nil, nil, nil) else {
            let name = av_get_pix_fmt_name(AVPixelFormat(rawValue: key.sourceFormat)).map { String(cString: $0) } ?? "\(key.sourceFormat)"
            throw MediaError.unsupportedCodec(path: path, codec: "pixel format \(name) (swscale cannot convert it to RGB)")
        }
        let context = ScaleContext(pointer: pointer)
        Self.applyColorDetails(pointer, colorspace: key.colorspace, colorRange: key.colorRange)
        let kernel = UnscaledRGBKernel(context: pointer, sourceFormat: key.sourceFormat, sourceWidth: key.sourceWidth,
                                       sourceHeight: key.sourceHeight, width: key.width, height: key.height,
                                       flags: key.flags, allowed: allowsKernel)
        scaler = (key, context, kernel)
        return (context, kernel)
    }

    /// FFmpeg 5.1 vf_scale's per-frame colour setup with its defaults (`in_color_matrix=auto`).
    static func applyColorDetails(_ context: OpaquePointer, colorspace: UInt32, colorRange: UInt32) {
        var inverseTable: UnsafeMutablePointer<Int32>?, table: UnsafeMutablePointer<Int32>?
        var sourceFull: Int32 = 0, targetFull: Int32 = 0, brightness: Int32 = 0, contrast: Int32 = 0, saturation: Int32 = 0
        guard sws_getColorspaceDetails(context, &inverseTable, &sourceFull, &table, &targetFull,
                                       &brightness, &contrast, &saturation) >= 0 else { return }
        var space = Int32(colorspace)
        if space < 1 || space > 10 || space == 8 { space = Int32(AVCOL_SPC_BT470BG.rawValue) }
        guard let coefficients = sws_getCoefficients(space) else { return }
        if colorRange != AVCOL_RANGE_UNSPECIFIED.rawValue {
            sourceFull = colorRange == AVCOL_RANGE_JPEG.rawValue ? 1 : 0
        }
        _ = sws_setColorspaceDetails(context, coefficients, sourceFull, coefficients, targetFull,
                                     brightness, contrast, saturation)
    }

    private static func swscaleFlags(_ interpolation: FrameOutput.Interpolation) -> Int32 {
        switch interpolation {
        case .bicubic: return SWS_BICUBIC
        case .bilinear: return SWS_BILINEAR
        case .area: return SWS_AREA
        case .nearest: return SWS_POINT
        }
    }

    private func rgbBuffer(width: Int, height: Int, path: String) throws -> UnsafeMutablePointer<AVFrame> {
        let buffer = try FrameBuffer.rgb24(reusing: rgb, width: width, height: height, path: path)
        rgb = buffer
        return buffer.pointer
    }

    /// Copies a `width` x `height` RGB24 picture with row stride `stride` into a tight H x W x 3 array,
    /// rotated clockwise by `rotation` degrees (0, 90, 180, 270).
    static func copyRotated(from base: UnsafePointer<UInt8>, stride: Int, width: Int, height: Int, rotation: Int) -> [UInt8] {
        let outWidth = rotation % 180 == 0 ? width : height
        let outHeight = rotation % 180 == 0 ? height : width
        return [UInt8](unsafeUninitializedCapacity: width * height * 3) { out, initialized in
            guard let dst = out.baseAddress else { initialized = 0; return }
            switch rotation {
            case 90:   // out[y][x] = in[height-1-x][y]
                for y in 0..<outHeight {
                    for x in 0..<outWidth {
                        let s = base + (height - 1 - x) * stride + y * 3, d = dst + (y * outWidth + x) * 3
                        d[0] = s[0]; d[1] = s[1]; d[2] = s[2]
                    }
                }
            case 180:  // out[y][x] = in[height-1-y][width-1-x]
                for y in 0..<outHeight {
                    for x in 0..<outWidth {
                        let s = base + (height - 1 - y) * stride + (width - 1 - x) * 3, d = dst + (y * outWidth + x) * 3
                        d[0] = s[0]; d[1] = s[1]; d[2] = s[2]
                    }
                }
            case 270:  // out[y][x] = in[x][width-1-y]
                for y in 0..<outHeight {
                    for x in 0..<outWidth {
                        let s = base + x * stride + (width - 1 - y) * 3, d = dst + (y * outWidth + x) * 3
                        d[0] = s[0]; d[1] = s[1]; d[2] = s[2]
                    }
                }
            default:
                for y in 0..<height {
                    (dst + y * width * 3).update(from: base + y * stride, count: width * 3)
                }
            }
            initialized = width * height * 3
        }
    }

    /// byte / 255 for every byte value: a table load instead of a division per value.
    private static let unitScale: [Float] = (0..<256).map { Float($0) / 255 }

    /// H x W x 3 bytes -> 3 x H x W floats in [0, 1] (exactly byte / 255).
    static func planarFloats(_ bytes: [UInt8], width: Int, height: Int) -> [Float] {
        let plane = width * height
        return [Float](unsafeUninitializedCapacity: plane * 3) { out, initialized in
            bytes.withUnsafeBufferPointer { src in
                unitScale.withUnsafeBufferPointer { table in
                    guard let s = src.baseAddress, let t = table.baseAddress, let o = out.baseAddress else { return }
                    let r = o, g = o + plane, b = o + 2 * plane
                    for p in 0..<plane {
                        r[p] = t[Int(s[3 &* p])]
                        g[p] = t[Int(s[3 &* p &+ 1])]
                        b[p] = t[Int(s[3 &* p &+ 2])]
                    }
                }
            }
            initialized = plane * 3
        }
    }
}
