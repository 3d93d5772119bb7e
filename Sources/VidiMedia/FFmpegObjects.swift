import CFFmpeg
import Foundation

// Owners of FFmpeg's C objects. Each frees its object in `deinit`; a child keeps its parent alive
// (a decoder retains the input whose stream it decodes). None is Sendable: they stay in the task
// (or thread) that made them, and only owned Swift values leave it.

/// FFmpeg prints to stderr by default; nothing below the CLI may print, so silence it once per process.
/// Problems reach callers as thrown errors and `VideoReader.warnings` instead.
let silenceFFmpegLogging: Void = { av_log_set_level(AV_LOG_QUIET) }()

/// Checked by FFmpeg's blocking I/O (`interrupt_callback`) so a stalled network read or a huge file
/// still honours cancellation and the deadline.
final class InterruptFlag {
    let deadline: ContinuousClock.Instant?
    /// Asked by readers that run on a thread of their own (`FrameStream`), where there is no task to
    /// cancel: true once the consumer has gone away.
    let externalCancellation: (@Sendable () -> Bool)?

    init(deadline: ContinuousClock.Instant?, externalCancellation: (@Sendable () -> Bool)? = nil) {
        self.deadline = deadline
        self.externalCancellation = externalCancellation
    }

    var isCancelled: Bool { Task.isCancelled || (externalCancellation?() ?? false) }

    var shouldInterrupt: Bool {
        if isCancelled { return true }
        if let deadline, ContinuousClock.now >= deadline { return true }
        return false
    }
}

/// An opened input: `AVFormatContext` after `avformat_open_input` and `avformat_find_stream_info`.
final class InputContext {
    let pointer: UnsafeMutablePointer<AVFormatContext>
    let path: String
    private let interrupt: InterruptFlag

    init(path: String, interrupt: InterruptFlag) throws {
        _ = silenceFFmpegLogging
        self.path = path
        self.interrupt = interrupt
        guard var context = avformat_alloc_context() else {
            throw MediaError.cannotOpen(path: path, reason: "out of memory allocating AVFormatContext")
        }
        context.pointee.interrupt_callback.callback = { opaque in
            guard let opaque else { return 0 }
            return Unmanaged<InterruptFlag>.fromOpaque(opaque).takeUnretainedValue().shouldInterrupt ? 1 : 0
        }
        context.pointee.interrupt_callback.opaque = Unmanaged.passUnretained(interrupt).toOpaque()
        var optional: UnsafeMutablePointer<AVFormatContext>? = context
        let opened = avformat_open_input(&optional, path, nil, nil)  // frees the context on failure
        guard opened >= 0, let openedContext = optional else {
            throw InputContext.openError(path: path, code: opened, interrupted: interrupt.shouldInterrupt)
        }
        context = openedContext
        pointer = context
        let found = Self.findStreamInfo(context)
        if found < 0 {
            // Every stored property is set, so deinit runs and closes the input: do not close it here.
            throw MediaError.corrupt(path: path, reason: "cannot read stream information: \(ffmpegErrorText(found))")
        }
    }

    /// `avformat_find_stream_info`, whose probe decoders skip the inverse transform and the loop filter:
    /// it decodes a picture or more only for what the headers say (pixel format, reorder delay), never
    /// looks at the pixels, and the decoders Vidi reads frames with are separate. That makes opening a
    /// 1080p H.264 file about half an intra picture's decode cheaper.
    private static func findStreamInfo(_ context: UnsafeMutablePointer<AVFormatContext>) -> Int32 {
        let count = Int(context.pointee.nb_streams)
        var options = [OpaquePointer?](repeating: nil, count: max(count, 1))
        for i in 0..<count {
            av_dict_set(&options[i], "skip_idct", "all", 0)
            av_dict_set(&options[i], "skip_loop_filter", "all", 0)
        }
        defer { for i in 0..<count { av_dict_free(&options[i]) } }
        return options.withUnsafeMutableBufferPointer { avformat_find_stream_info(context, $0.baseAddress) }
    }

    deinit {
        var closing: UnsafeMutablePointer<AVFormatContext>? = pointer
        avformat_close_input(&closing)
    }

    /// Maps `avformat_open_input`'s failure to the most specific error.
    private static func openError(path: String, code: Int32, interrupted: Bool) -> MediaError {
        if code == CFFmpeg_AVERROR_INVALIDDATA() {
            let size = fileSize(path)
            if size == 0 { return .corrupt(path: path, reason: "file is empty (0 bytes)") }
            return .corrupt(path: path, reason: "not a recognizable media file: \(ffmpegErrorText(code))")
        }
        if interrupted {  // VideoReader turns this into .cancelled / .timedOut
            return .cannotOpen(path: path, reason: "interrupted (cancelled or deadline passed)")
        }
        return .cannotOpen(path: path, reason: ffmpegErrorText(code))
    }

    var streamCount: Int { Int(pointer.pointee.nb_streams) }

    func stream(_ index: Int32) -> UnsafeMutablePointer<AVStream>? {
        guard index >= 0, Int(index) < streamCount, let streams = pointer.pointee.streams else { return nil }
        return streams[Int(index)]
    }
}

/// Size of a local file in bytes, or nil for URLs and unreadable paths.
func fileSize(_ path: String) -> Int64? {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
          let size = attributes[.size] as? NSNumber else { return nil }
    return size.int64Value
}

/// A configured video decoder (`AVCodecContext`) for one stream of `input`.
final class DecoderContext {
    let pointer: UnsafeMutablePointer<AVCodecContext>
    /// Kept so the stream's parameters (and the demuxer) outlive the decoder.
    let input: InputContext

    /// - Parameters:
    ///   - threads: 1 = single-threaded, 0 = FFmpeg's choice, n = n threads.
    ///   - exportMotionVectors: `flags2 +export_mvs`; forces slice-only threading because frame
    ///     threading loses B-frame vectors (media.md).
    ///   - keyframesOnly: `skip_frame = AVDISCARD_NONKEY`, so P/B frames are never decoded. Slice threads
    ///     only: each keyframe is decoded alone and drained, so frame threads could never overlap two
    ///     pictures and would only add their start-up and hand-over (3 ms of 12 on a 360p file).
    ///   - intraPicturesOnly: P/B pictures are parsed (picture types, motion vectors) but their pixels are
    ///     not needed: `skip_idct = AVDISCARD_NONKEY` (MPEG-1/2/4, H.263: no motion compensation or IDCT
    ///     for non-I pictures) and `skip_loop_filter = AVDISCARD_NONINTRA` (H.264, HEVC: no deblocking of
    ///     non-I slices). Bitstream parsing, and so every motion vector, never depends on pixel values; I
    ///     pictures are reconstructed in full.
    init(input: InputContext, streamIndex: Int32, threads: Int, exportMotionVectors: Bool, keyframesOnly: Bool,
         intraPicturesOnly: Bool = false) throws {
        self.input = input
        let path = input.path
        guard let stream = input.stream(streamIndex), let parameters = stream.pointee.codecpar else {
            throw MediaError.noVideoStream(path: path)
        }
        guard let codec = avcodec_find_decoder(parameters.pointee.codec_id) else {
            throw MediaError.unsupportedCodec(path: path, codec: String(cString: avcodec_get_name(parameters.pointee.codec_id)))
        }
        guard let context = avcodec_alloc_context3(codec) else {
            throw MediaError.cannotOpen(path: path, reason: "out of memory allocating AVCodecContext")
        }
        pointer = context
        try check(avcodec_parameters_to_context(context, parameters), "avcodec_parameters_to_context", path: path)
        context.pointee.pkt_timebase = stream.pointee.time_base
        context.pointee.thread_count = Int32(max(0, threads))
        context.pointee.thread_type = exportMotionVectors || keyframesOnly ? FF_THREAD_SLICE : (FF_THREAD_FRAME | FF_THREAD_SLICE)
        if exportMotionVectors { context.pointee.flags2 |= Int32(AV_CODEC_FLAG2_EXPORT_MVS) }
        if keyframesOnly { context.pointee.skip_frame = AVDISCARD_NONKEY }
        if intraPicturesOnly {
            context.pointee.skip_idct = AVDISCARD_NONKEY
            context.pointee.skip_loop_filter = AVDISCARD_NONINTRA
        }
        try check(avcodec_open2(context, codec, nil), "avcodec_open2", path: path)
    }

    deinit {
        var freeing: UnsafeMutablePointer<AVCodecContext>? = pointer
        avcodec_free_context(&freeing)
    }
}

/// An `AVPacket`, reused for every read.
final class PacketBuffer {
    let pointer: UnsafeMutablePointer<AVPacket>

    init() throws {
        guard let packet = av_packet_alloc() else { throw MediaError.invalidArgument("out of memory allocating AVPacket") }
        pointer = packet
    }

    /// A new reference to `source`'s data (no copy of reference-counted payloads), kept after `source`
    /// is reused.
    convenience init(referencing source: UnsafePointer<AVPacket>) throws {
        try self.init()
        let code = av_packet_ref(pointer, source)
        if code < 0 { throw MediaError.invalidArgument("cannot keep a packet: \(ffmpegErrorText(code))") }
    }

    deinit {
        var freeing: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&freeing)
    }
}

/// An `AVFrame`, reused for every decoded picture.
final class FrameBuffer {
    let pointer: UnsafeMutablePointer<AVFrame>

    init() throws {
        guard let frame = av_frame_alloc() else { throw MediaError.invalidArgument("out of memory allocating AVFrame") }
        pointer = frame
    }

    deinit {
        var freeing: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&freeing)
    }
}

/// A `SwsContext` for one (source size, source format, colour details, destination size) combination.
final class ScaleContext {
    let pointer: OpaquePointer

    init(pointer: OpaquePointer) { self.pointer = pointer }

    deinit { sws_freeContext(pointer) }
}

extension FrameBuffer {
    /// An RGB24 picture of `width` x `height`: `existing` when it already has that size, else a new one
    /// (the converters keep one and reuse it frame after frame).
    static func rgb24(reusing existing: FrameBuffer?, width: Int, height: Int, path: String) throws -> FrameBuffer {
        if let existing, existing.pointer.pointee.width == Int32(width), existing.pointer.pointee.height == Int32(height) {
            return existing
        }
        let buffer = try FrameBuffer()
        buffer.pointer.pointee.width = Int32(width)
        buffer.pointer.pointee.height = Int32(height)
        buffer.pointer.pointee.format = AV_PIX_FMT_RGB24.rawValue
        _ = try check(av_frame_get_buffer(buffer.pointer, 0), "av_frame_get_buffer", path: path)
        return buffer
    }
}
