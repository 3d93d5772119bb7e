import CFFmpeg

/// An image decoded from memory: H x W x 3 RGB bytes, rows packed (alpha, if any, is dropped).
public struct DecodedImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var rgb: [UInt8]

    public init(width: Int, height: Int, rgb: [UInt8]) {
        self.width = width
        self.height = height
        self.rgb = rgb
    }
}

/// Decodes PNG and JPEG bytes held in memory (a WebDataset member, an HTTP body) with libavcodec's
/// `png` and `mjpeg` decoders, then converts to RGB24 the way `FrameConverter` does (swscale set up like
/// the ffmpeg CLI), so PNG pixels come back exactly and JPEG pixels as FFmpeg decodes them.
public enum ImageDecoder {
    /// Decodes `bytes`; the format comes from the magic number. `label` names the image in errors.
    public static func decodeRGB(_ bytes: [UInt8], label: String = "<image>") throws -> DecodedImage {
        let codecID: AVCodecID
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            codecID = AV_CODEC_ID_PNG
        } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            codecID = AV_CODEC_ID_MJPEG
        } else {
            throw MediaError.unsupportedCodec(path: label, codec: "image that is neither PNG nor JPEG (\(bytes.count) bytes)")
        }
        guard bytes.count < Int(Int32.max) - Int(AV_INPUT_BUFFER_PADDING_SIZE) else {
            throw MediaError.invalidArgument("\(label): image of \(bytes.count) bytes is too large")
        }
        let decoder = try ImageDecoderContext(codecID: codecID, label: label)
        let frame = try FrameBuffer()
        try decoder.decode(bytes, into: frame.pointer)
        let converted = try FrameConverter().convert(frame.pointer, output: FrameOutput(), rotation: 0, path: label)
        guard case .rgb8(let rgb) = converted.pixels else {
            throw MediaError.corrupt(path: label, reason: "converter returned no RGB pixels")
        }
        return DecodedImage(width: converted.width, height: converted.height, rgb: rgb)
    }
}

/// One opened still-image decoder with its packet; frees both in `deinit`.
private final class ImageDecoderContext {
    let context: UnsafeMutablePointer<AVCodecContext>
    let packet: PacketBuffer
    let label: String

    init(codecID: AVCodecID, label: String) throws {
        _ = silenceFFmpegLogging
        self.label = label
        guard let codec = avcodec_find_decoder(codecID) else {
            throw MediaError.unsupportedCodec(path: label, codec: String(cString: avcodec_get_name(codecID)))
        }
        guard let context = avcodec_alloc_context3(codec) else {
            throw MediaError.cannotOpen(path: label, reason: "out of memory allocating AVCodecContext")
        }
        self.context = context
        packet = try PacketBuffer()
        context.pointee.thread_count = 1  // one image per call; callers parallelise across images
        try check(avcodec_open2(context, codec, nil), "avcodec_open2", path: label)
    }

    deinit {
        var freeing: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&freeing)
    }

    /// Sends the whole image as one packet, flushes, and receives its picture.
    func decode(_ bytes: [UInt8], into frame: UnsafeMutablePointer<AVFrame>) throws {
        // av_new_packet adds the zeroed padding that decoders read past the end.
        try check(av_new_packet(packet.pointer, Int32(bytes.count)), "av_new_packet", path: label)
        defer { av_packet_unref(packet.pointer) }
        if let data = packet.pointer.pointee.data {
            bytes.withUnsafeBufferPointer { source in
                if let base = source.baseAddress { data.update(from: base, count: source.count) }
            }
        }
        try check(avcodec_send_packet(context, packet.pointer), "decoding the image", path: label)
        _ = avcodec_send_packet(context, nil)
        let received = avcodec_receive_frame(context, frame)
        guard received >= 0 else {
            if received == CFFmpeg_AVERROR_EOF() || received == CFFmpeg_AVERROR_EAGAIN() {
                throw MediaError.corrupt(path: label, reason: "the decoder produced no picture")
            }
            try check(received, "decoding the image", path: label)
            return
        }
        guard frame.pointee.width > 0, frame.pointee.height > 0 else {
            throw MediaError.corrupt(path: label, reason: "decoded picture has no size")
        }
    }
}
