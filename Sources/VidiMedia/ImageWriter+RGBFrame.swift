import CFFmpeg

/// Turns packed RGB24 buffers (H x W x 3 UInt8, no row padding) into `AVFrame`s of an encoder's pixel
/// format. One converter per stream of same-sized frames: the frame and the `SwsContext` are reused.
///
/// Non-Sendable: it owns FFmpeg objects and stays with the writer that made it.
final class RGBFrameConverter {
    /// Size of the RGB input.
    let width: Int
    let height: Int
    /// Size of the produced frame; larger than the input only when 4:2:0 video needs even sizes
    /// (the last column / row is repeated into the padding).
    let frameWidth: Int
    let frameHeight: Int
    let pixelFormat: AVPixelFormat
    private let path: String
    private let frame: UnsafeMutablePointer<AVFrame>
    private var sws: OpaquePointer?
    /// Scratch for edge-padded input (odd sizes only).
    private var padded: [UInt8] = []

    /// `fullRange` selects JPEG-style 0...255 YUV (for JPEG) instead of video's 16...235 (for H.264).
    init(width: Int, height: Int, pixelFormat: AVPixelFormat, frameWidth: Int, frameHeight: Int,
         fullRange: Bool = false, path: String) throws {
        precondition(frameWidth >= width && frameHeight >= height, "frame must hold the input")
        self.width = width
        self.height = height
        self.frameWidth = frameWidth
        self.frameHeight = frameHeight
        self.pixelFormat = pixelFormat
        self.path = path
        guard let frame = av_frame_alloc() else {
            throw MediaError.ffmpeg(path: path, operation: "av_frame_alloc", code: CFFmpeg_AVERROR(ENOMEM),
                                    message: ffmpegErrorText(CFFmpeg_AVERROR(ENOMEM)))
        }
        self.frame = frame
        frame.pointee.format = pixelFormat.rawValue
        frame.pointee.width = Int32(frameWidth)
        frame.pointee.height = Int32(frameHeight)
        frame.pointee.color_range = fullRange ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG
        try check(av_frame_get_buffer(frame, 0), "allocating a \(frameWidth)x\(frameHeight) frame", path: path)
        if pixelFormat != AV_PIX_FMT_RGB24 {
            // Same size in and out: the scaler only converts colour. Accurate rounding keeps flat
            // colours flat; full chroma interpolation avoids colour fringes at edges.
            let flags = SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT
            sws = sws_getContext(Int32(frameWidth), Int32(frameHeight), AV_PIX_FMT_RGB24,
                                 Int32(frameWidth), Int32(frameHeight), pixelFormat, flags, nil, nil, nil)
            guard sws != nil else {
                throw MediaError.invalidArgument(
                    "\(path): cannot convert rgb24 to \(Self.name(of: pixelFormat)) at \(frameWidth)x\(frameHeight)")
            }
            // BT.601 matrix (what JPEG and SD video assume); RGB input is always full range.
            let coefficients = sws_getCoefficients(SWS_CS_ITU601)
            sws_setColorspaceDetails(sws, coefficients, 1, coefficients, fullRange ? 1 : 0, 0, 1 << 16, 1 << 16)
        }
    }

    deinit {
        var frame: UnsafeMutablePointer<AVFrame>? = self.frame
        av_frame_free(&frame)
        sws_freeContext(sws)
    }

    /// Fills the frame from `rgb` and returns it. The frame stays owned by the converter and is valid
    /// until the next call; encoders that keep a reference get a fresh buffer (`av_frame_make_writable`).
    func convert(_ rgb: UnsafeBufferPointer<UInt8>) throws -> UnsafeMutablePointer<AVFrame> {
        let expected = width * height * 3
        guard rgb.count == expected else {
            throw MediaError.invalidArgument(
                "\(path): RGB buffer holds \(rgb.count) bytes, a \(width)x\(height)x3 frame needs \(expected)")
        }
        try check(av_frame_make_writable(frame), "making the frame writable", path: path)
        if frameWidth == width && frameHeight == height {
            try fill(from: rgb)
        } else {
            padToFrameSize(rgb)
            try padded.withUnsafeBufferPointer { try fill(from: $0) }
        }
        return frame
    }

    private func fill(from rgb: UnsafeBufferPointer<UInt8>) throws {
        guard let source = rgb.baseAddress else { return }
        if let sws {
            var sourcePlanes: [UnsafePointer<UInt8>?] = [source, nil, nil, nil]
            var sourceStrides: [Int32] = [Int32(frameWidth * 3), 0, 0, 0]
            let rows = withUnsafeMutablePointer(to: &frame.pointee.data) { data in
                withUnsafeMutablePointer(to: &frame.pointee.linesize) { linesize in
                    data.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 8) { planes in
                        linesize.withMemoryRebound(to: Int32.self, capacity: 8) { strides in
                            sws_scale(sws, &sourcePlanes, &sourceStrides, 0, Int32(frameHeight), planes, strides)
                        }
                    }
                }
            }
            guard rows == Int32(frameHeight) else {
                throw MediaError.ffmpeg(path: path, operation: "sws_scale to \(Self.name(of: pixelFormat))",
                                        code: rows, message: "converted \(rows) of \(frameHeight) rows")
            }
        } else {
            // RGB24 encoders (PNG) take the pixels as they are: copy row by row into the padded stride.
            guard let destination = frame.pointee.data.0 else {
                throw MediaError.invalidArgument("\(path): frame has no pixel plane")
            }
            let stride = Int(frame.pointee.linesize.0)
            let rowBytes = frameWidth * 3
            for row in 0..<frameHeight {
                (destination + row * stride).update(from: source + row * rowBytes, count: rowBytes)
            }
        }
    }

    /// Copies `rgb` into `padded` at the frame size, repeating the last column and row.
    private func padToFrameSize(_ rgb: UnsafeBufferPointer<UInt8>) {
        let outRow = frameWidth * 3
        let inRow = width * 3
        if padded.count != outRow * frameHeight { padded = [UInt8](repeating: 0, count: outRow * frameHeight) }
        padded.withUnsafeMutableBufferPointer { out in
            guard let out = out.baseAddress, let source = rgb.baseAddress else { return }
            for row in 0..<frameHeight {
                let sourceRow = source + min(row, height - 1) * inRow
                let target = out + row * outRow
                target.update(from: sourceRow, count: inRow)
                for column in width..<frameWidth {
                    (target + column * 3).update(from: sourceRow + (width - 1) * 3, count: 3)
                }
            }
        }
    }
}

extension RGBFrameConverter {
    /// FFmpeg's name for a pixel format ("yuv420p"), for messages.
    static func name(of format: AVPixelFormat) -> String {
        guard let name = av_get_pix_fmt_name(format) else { return "pix_fmt \(format.rawValue)" }
        return String(cString: name)
    }
}
