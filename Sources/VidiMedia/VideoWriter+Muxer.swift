import CFFmpeg

/// libavformat's mp4 muxer with one video stream: owns the output `AVFormatContext` and its file.
/// Non-Sendable, owned by a `VideoWriter`.
final class MP4Muxer {
    private let format: UnsafeMutablePointer<AVFormatContext>
    private var stream: UnsafeMutablePointer<AVStream>?
    private let path: String
    private var headerWritten = false
    private var trailerWritten = false

    init(path: String) throws {
        self.path = path
        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        try check(avformat_alloc_output_context2(&context, nil, "mp4", path), "setting up the mp4 muxer", path: path)
        guard let context else {
            throw MediaError.invalidArgument("\(path): the mp4 muxer is not in this FFmpeg build")
        }
        format = context
        let opened = avio_open(&context.pointee.pb, path, AVIO_FLAG_WRITE)
        // Every stored property is set by now, so a throw here runs deinit, which frees the context.
        if opened < 0 {
            throw MediaError.cannotOpen(path: path, reason: "cannot write: \(ffmpegErrorText(opened))")
        }
    }

    deinit {
        avio_closep(&format.pointee.pb)
        avformat_free_context(format)
    }

    /// Whether encoders must put codec headers in extradata (true for MP4).
    var needsGlobalHeader: Bool { (format.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER) != 0 }

    /// Adds the video stream, copying the opened encoder's parameters.
    func addStream(from encoder: UnsafeMutablePointer<AVCodecContext>, frameRate: AVRational) throws {
        guard let stream = avformat_new_stream(format, nil) else {
            throw MediaError.ffmpeg(path: path, operation: "avformat_new_stream", code: CFFmpeg_AVERROR(ENOMEM),
                                    message: ffmpegErrorText(CFFmpeg_AVERROR(ENOMEM)))
        }
        try check(avcodec_parameters_from_context(stream.pointee.codecpar, encoder),
                  "copying encoder parameters to the stream", path: path)
        stream.pointee.time_base = encoder.pointee.time_base
        stream.pointee.avg_frame_rate = frameRate
        stream.pointee.r_frame_rate = frameRate
        self.stream = stream
    }

    func writeHeader() throws {
        try check(avformat_write_header(format, nil), "writing the mp4 header", path: path)
        headerWritten = true
    }

    /// Rescales the packet from the encoder's time base to the stream's and writes it (interleaved).
    func write(_ packet: UnsafeMutablePointer<AVPacket>, from timeBase: AVRational) throws {
        guard let stream else { throw MediaError.invalidArgument("\(path): no stream to write to") }
        av_packet_rescale_ts(packet, timeBase, stream.pointee.time_base)
        packet.pointee.stream_index = stream.pointee.index
        try check(av_interleaved_write_frame(format, packet), "writing a packet", path: path)
    }

    func writeTrailer() throws {
        guard headerWritten, !trailerWritten else { return }
        trailerWritten = true
        try check(av_write_trailer(format), "writing the mp4 trailer", path: path)
        try check(avio_closep(&format.pointee.pb), "closing the file", path: path)
    }
}
