import CFFmpeg

/// An opened libavcodec encoder (`png`, `mjpeg`, `libx264`): owns the `AVCodecContext` and a packet,
/// frees both in `deinit`. Shared by the image and video writers. Non-Sendable, one owner.
final class EncoderContext {
    let context: UnsafeMutablePointer<AVCodecContext>
    private let packet: UnsafeMutablePointer<AVPacket>
    private let path: String

    /// Finds the encoder by FFmpeg name, lets `configure` set size, pixel format and time base, then
    /// opens it with `options` (encoder-private AVOptions such as x264's `crf` and `preset`).
    init(encoder name: String, path: String, options: [String: String] = [:],
         configure: (UnsafeMutablePointer<AVCodecContext>) -> Void) throws {
        self.path = path
        _ = silenceFFmpegLogging  // x264 prints per-file statistics otherwise
        guard let codec = avcodec_find_encoder_by_name(name) else {
            throw MediaError.unsupportedCodec(path: path, codec: "\(name) (encoder not in this FFmpeg build)")
        }
        guard let context = avcodec_alloc_context3(codec) else {
            throw MediaError.ffmpeg(path: path, operation: "avcodec_alloc_context3(\(name))",
                                    code: CFFmpeg_AVERROR(ENOMEM), message: ffmpegErrorText(CFFmpeg_AVERROR(ENOMEM)))
        }
        guard let packet = av_packet_alloc() else {
            var owned: UnsafeMutablePointer<AVCodecContext>? = context
            avcodec_free_context(&owned)
            throw MediaError.ffmpeg(path: path, operation: "av_packet_alloc",
                                    code: CFFmpeg_AVERROR(ENOMEM), message: ffmpegErrorText(CFFmpeg_AVERROR(ENOMEM)))
        }
        self.context = context
        self.packet = packet
        configure(context)

        var dictionary: OpaquePointer? = nil
        defer { av_dict_free(&dictionary) }
        for (key, value) in options { av_dict_set(&dictionary, key, value, 0) }
        try check(avcodec_open2(context, codec, &dictionary), "opening the \(name) encoder", path: path)
        // Options the encoder did not consume are typos or wrong values: say so instead of ignoring them.
        if let leftover = av_dict_get(dictionary, "", nil, AV_DICT_IGNORE_SUFFIX) {
            let key = String(cString: leftover.pointee.key)
            throw MediaError.invalidArgument("\(path): the \(name) encoder has no option '\(key)'")
        }
    }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = self.packet
        av_packet_free(&packet)
        var context: UnsafeMutablePointer<AVCodecContext>? = self.context
        avcodec_free_context(&context)
    }

    /// Sends one frame (nil = flush at the end) and hands every packet the encoder has ready to `body`.
    /// The packet is only valid inside `body`; it is unreferenced afterwards.
    func encode(_ frame: UnsafeMutablePointer<AVFrame>?,
                _ body: (UnsafeMutablePointer<AVPacket>) throws -> Void) throws {
        let sent = avcodec_send_frame(context, frame)
        // EOF on a second flush means there is nothing left to drain: not an error.
        if sent != CFFmpeg_AVERROR_EOF() {
            try check(sent, frame == nil ? "flushing the encoder" : "sending a frame to the encoder", path: path)
        }
        while true {
            let received = avcodec_receive_packet(context, packet)
            if received == CFFmpeg_AVERROR_EAGAIN() || received == CFFmpeg_AVERROR_EOF() { return }
            try check(received, "receiving an encoded packet", path: path)
            defer { av_packet_unref(packet) }
            try body(packet)
        }
    }
}
