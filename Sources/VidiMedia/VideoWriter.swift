import CFFmpeg

/// Writes RGB frames (H x W x 3 UInt8) to an H.264 MP4: libx264 through libavcodec, muxed by
/// libavformat's mp4 muxer. For visualisations and synthetic data.
///
/// ```swift
/// let writer = try VideoWriter(path: "out.mp4", width: 320, height: 240, options: .init(fps: 30, crf: 18))
/// for frame in frames { try writer.append(rgb: frame) }
/// try writer.finish()   // required: writes the MP4 index; a writer dropped without it leaves no playable file
/// ```
/// The stream is yuv420p (plays everywhere), BT.601 limited range. 4:2:0 needs even sizes, so an odd width
/// or height is padded up by one by repeating the last column / row: `encodedWidth`/`encodedHeight` say
/// what the file holds. Non-Sendable: one owner.
public final class VideoWriter {
    public struct Options: Sendable, Equatable {
        /// Frames per second; the stream's time base is its inverse.
        public var fps: Double
        /// x264 constant rate factor, 0 (lossless luma) ... 51; 23 is x264's default, 18 looks lossless.
        public var crf: Int
        /// x264 preset: ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, veryslow, placebo.
        public var preset: String
        /// Encoder threads; 0 lets x264 choose.
        public var threads: Int

        public init(fps: Double = 25, crf: Int = 23, preset: String = "medium", threads: Int = 0) {
            self.fps = fps
            self.crf = crf
            self.preset = preset
            self.threads = threads
        }
    }

    /// x264's presets, fastest first.
    public static let presets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower",
                                 "veryslow", "placebo"]

    public let path: String
    /// Size of the frames `append` takes.
    public let width: Int
    public let height: Int
    /// Size of the encoded video (even; equal to width/height unless padded).
    public let encodedWidth: Int
    public let encodedHeight: Int
    public let options: Options
    /// Frames appended so far.
    public private(set) var frameCount = 0

    private let muxer: MP4Muxer
    private let encoder: EncoderContext
    private let converter: RGBFrameConverter
    private var finished = false

    public init(path: String, width: Int, height: Int, options: Options = .init()) throws {
        try ImageWriter.validate(count: max(width, 0) * max(height, 0) * 3, width: width, height: height, label: path)
        guard options.fps.isFinite, options.fps > 0, options.fps <= 1000 else {
            throw MediaError.invalidArgument("\(path): fps must be in (0, 1000], got \(options.fps)")
        }
        guard (0...51).contains(options.crf) else {
            throw MediaError.invalidArgument("\(path): crf must be 0...51, got \(options.crf)")
        }
        // Checked here because x264 prints its own complaint to stderr before failing.
        guard Self.presets.contains(options.preset) else {
            throw MediaError.invalidArgument(
                "\(path): unknown x264 preset '\(options.preset)' (\(Self.presets.joined(separator: ", ")))")
        }
        guard options.threads >= 0 else {
            throw MediaError.invalidArgument("\(path): threads must be >= 0, got \(options.threads)")
        }
        self.path = path
        self.width = width
        self.height = height
        self.options = options
        encodedWidth = (width + 1) / 2 * 2
        encodedHeight = (height + 1) / 2 * 2

        let frameRate = av_d2q(options.fps, 1_000_000)
        let timeBase = av_inv_q(frameRate)
        let muxer = try MP4Muxer(path: path)
        let (encodedWidth, encodedHeight) = (self.encodedWidth, self.encodedHeight)
        encoder = try EncoderContext(encoder: "libx264", path: path,
                                     options: ["crf": String(options.crf), "preset": options.preset,
                                               // x264's own log level: warnings and errors, no per-file stats.
                                               "x264-params": "log=1"]) { context in
            context.pointee.width = Int32(encodedWidth)
            context.pointee.height = Int32(encodedHeight)
            context.pointee.pix_fmt = AV_PIX_FMT_YUV420P
            context.pointee.time_base = timeBase
            context.pointee.framerate = frameRate
            context.pointee.thread_count = Int32(options.threads)
            context.pointee.color_range = AVCOL_RANGE_MPEG
            context.pointee.colorspace = AVCOL_SPC_SMPTE170M
            context.pointee.color_primaries = AVCOL_PRI_SMPTE170M
            context.pointee.color_trc = AVCOL_TRC_SMPTE170M
            // MP4 keeps SPS/PPS in the sample description (avcC), not in the stream.
            if muxer.needsGlobalHeader { context.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
        }
        converter = try RGBFrameConverter(width: width, height: height, pixelFormat: AV_PIX_FMT_YUV420P,
                                          frameWidth: encodedWidth, frameHeight: encodedHeight, path: path)
        try muxer.addStream(from: encoder.context, frameRate: frameRate)
        try muxer.writeHeader()
        self.muxer = muxer
    }

    /// Encodes one frame (`width * height * 3` bytes, RGB, rows packed).
    public func append(rgb: UnsafeBufferPointer<UInt8>) throws {
        guard !finished else { throw MediaError.invalidArgument("\(path): append after finish()") }
        let frame = try converter.convert(rgb)
        frame.pointee.pts = Int64(frameCount)
        try encoder.encode(frame) { packet in try muxer.write(packet, from: encoder.context.pointee.time_base) }
        frameCount += 1
    }

    public func append(rgb: [UInt8]) throws {
        try rgb.withUnsafeBufferPointer { try append(rgb: $0) }
    }

    /// Drains the encoder and writes the MP4 trailer. Calling it again does nothing.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        guard frameCount > 0 else {
            throw MediaError.invalidArgument("\(path): no frames were appended; an empty MP4 is not written")
        }
        try encoder.encode(nil) { packet in try muxer.write(packet, from: encoder.context.pointee.time_base) }
        try muxer.writeTrailer()
    }
}
