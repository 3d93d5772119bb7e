import CFFmpeg

/// Reads one video file (or any URL FFmpeg opens): metadata, exact random access, sequential streaming,
/// keyframes and motion vectors.
///
/// At open it demuxes every video packet once (no decoding) to build an index; frame counts, keyframe
/// indices and timestamps come from it, in display order (sorted by pts). Streams without timestamps,
/// and reordering (B-frame) streams where packets share a timestamp, are also decoded once then:
/// only the decoder's output order places those frames. With `ReaderOptions.indexAtOpen` false the
/// index is built on first use instead. Not Sendable: use one reader
/// from one task or thread; what it returns (`Frame`, `FrameMotion`, `VideoInfo`) is owned and Sendable.
public final class VideoReader {
    public let path: String
    public let options: ReaderOptions
    /// What the file holds. Reading it builds the packet index if the open did not (`indexAtOpen` false);
    /// should that build fail, this is the stream header's description with no frames, and the next
    /// throwing call reports the failure.
    public var info: VideoInfo {
        if indexState == nil { try? indexed() }
        return indexState?.info ?? headerInfo
    }
    /// Problems that did not stop the call: undecodable packets, a stream that breaks midway (frames
    /// before the break were returned). Appended by every call; never printed.
    public private(set) var warnings: [String] = []
    /// Display indices that some call wanted but could not decode (damaged data), accumulated like
    /// `warnings`: what a caller that keeps damaged files records as missing.
    public private(set) var undecodableFrames: Set<Int> = []

    var input: InputContext
    let streamIndex: Int32
    /// The video stream's time base (checked valid at open).
    let timeBase: AVRational
    /// The index and the info made from it, once built; `indexError` holds a failed build.
    private var indexState: (index: PacketIndex, info: VideoInfo)?
    private var indexError: Error?
    /// The stream header's description before any packet is read: sizes, rotation, codec, colour, but
    /// no frames or timestamps. Reading it never builds the packet index.
    public let headerInfo: VideoInfo
    /// Set once a pass without the index has read packets: building the index then starts from a
    /// freshly opened input.
    var demuxerMoved = false
    let interrupt: InterruptFlag
    let openedAt = ContinuousClock.now
    let packet: PacketBuffer
    let picture: FrameBuffer
    let converter = FrameConverter()
    /// The decoder in use and where it stands; replaced when a call needs a different configuration.
    var decoder: DecodeState?
    /// Work done so far (tests use it to check that each GOP is decoded once and needless seeks skipped).
    var statistics = DecodeStatistics()

    /// Opens `path` (a file or any URL FFmpeg reads) and scans its video packets.
    ///
    /// Errors: a missing or unreadable file -> `.cannotOpen`; an empty file -> `.corrupt` ("file is
    /// empty (0 bytes)"); bytes no demuxer recognises (random data, text) -> `.corrupt` ("not a
    /// recognizable media file: ..."); no video stream (audio only) -> `.noVideoStream`; no decoder for the
    /// video codec -> `.unsupportedCodec`; a video stream without a single readable packet -> `.corrupt`;
    /// cancellation or a passed deadline -> `.cancelled` / `.timedOut`. A file that breaks midway opens,
    /// indexes the packets before the break and records a warning. With `indexAtOpen` false the errors
    /// of the packet scan (the last three) come from the first call that needs the index instead.
    public convenience init(path: String, options: ReaderOptions = .init()) throws {
        try self.init(path: path, options: options, externalCancellation: nil)
    }

    /// `externalCancellation` lets a reader on a plain thread (no task) be cancelled from outside.
    init(path: String, options: ReaderOptions, externalCancellation: (@Sendable () -> Bool)?) throws {
        self.path = path
        self.options = options
        guard options.threads >= 0 else { throw MediaError.invalidArgument("threads must be >= 0, got \(options.threads)") }
        interrupt = InterruptFlag(deadline: options.deadline, externalCancellation: externalCancellation)
        if Task.isCancelled { throw MediaError.cancelled(path: path) }
        input = try Self.openInput(path: path, interrupt: interrupt, openedAt: openedAt)
        packet = try PacketBuffer()
        picture = try FrameBuffer()
        streamIndex = try Self.bestVideoStream(in: input)
        Self.discardOtherStreams(in: input, keeping: streamIndex)
        guard let stream = input.stream(streamIndex) else { throw MediaError.noVideoStream(path: path) }
        timeBase = stream.pointee.time_base
        guard timeBase.num > 0, timeBase.den > 0 else {
            throw MediaError.corrupt(path: path, reason: "video stream has an invalid time base \(timeBase.num)/\(timeBase.den)")
        }
        headerInfo = Self.makeInfo(path: path, input: input, stream: stream, index: PacketIndex(entries: []))
        if options.indexAtOpen { try indexed() }
    }

    /// Whether the packet index has been built.
    var isIndexed: Bool { indexState != nil }

    /// The packet index, built on first use (see `indexed()`). Only read after `indexed()` succeeded:
    /// every public entry point that decodes calls it first.
    var index: PacketIndex {
        if indexState == nil { try? indexed() }
        return indexState?.index ?? PacketIndex(entries: [])
    }

    /// Builds the packet index if it is not built yet; a failed build is reported again by every call.
    func indexed() throws {
        if indexState != nil { return }
        if let indexError { throw indexError }
        do {
            try buildIndex()
        } catch {
            indexState = nil
            decoder = nil
            indexError = error
            throw error
        }
    }

    /// Demuxes every packet once (and, for the two kinds of stream described on the type, decodes once).
    private func buildIndex() throws {
        if demuxerMoved {
            input = try openInput()
            demuxerMoved = false
        }
        guard let stream = input.stream(streamIndex) else { throw MediaError.noVideoStream(path: path) }
        var scanWarnings: [String] = []
        let (entries, timestamped) = try Self.scanPackets(input: input, streamIndex: streamIndex, interrupt: interrupt,
                                                          openedAt: openedAt, warnings: &scanWarnings)
        if let truncated = Self.truncationWarning(path: path, stream: stream) { scanWarnings.append("\(path): \(truncated)") }
        guard entries.contains(where: { !$0.isHidden }) else {
            throw MediaError.corrupt(path: path, reason: "the video stream holds no readable packets")
        }
        for warning in scanWarnings where !warnings.contains(warning) { warnings.append(warning) }
        let scanned = PacketIndex(entries: entries, hasTimestamps: timestamped)
        setIndex(scanned, stream: stream)
        if !timestamped {
            // Without timestamps the display order is only known by decoding: one pass, in which each
            // frame comes out carrying its packet's decode position (written into the packet's pts).
            var order: [Int] = []
            let state = try decodeState(pictureConfiguration)
            try position(state, at: 0)
            try pump(state) { _, position in
                order.append(position)
                return true
            }
            decoder = nil
            guard !order.isEmpty else {
                throw MediaError.corrupt(path: path, reason: "none of the \(entries.count) video packets could be decoded")
            }
            setIndex(PacketIndex(entries: entries, hasTimestamps: false, displayOrder: order), stream: stream)
        } else if !scanned.sharedTimestamps.isEmpty, stream.pointee.codecpar.pointee.video_delay > 0 || scanned.hasReordering {
            // Packets that share a timestamp in a stream that reorders frames (B-frames): only the
            // decoder knows which of them it shows first. One pass (P/B pixels not reconstructed) learns it.
            var ranks = [Int](repeating: Int.max, count: entries.count)
            var next = 0
            let state = try decodeState(DecoderConfiguration(exportsMotion: false, keyframesOnly: false, intraPicturesOnly: true))
            try position(state, at: 0)
            try pump(state) { _, display in
                let position = scanned.displayToDecode[display]
                if ranks[position] == Int.max {
                    ranks[position] = next
                    next += 1
                }
                return true
            }
            decoder = nil
            setIndex(PacketIndex(entries: entries, outputRanks: ranks), stream: stream)
        }
    }

    private func setIndex(_ index: PacketIndex, stream: UnsafeMutablePointer<AVStream>) {
        indexState = (index, Self.makeInfo(path: path, input: input, stream: stream, index: index))
    }

    // MARK: - Opening

    /// Opens the input; an open that FFmpeg's I/O abandoned because of cancellation or the deadline
    /// reports that, not a generic open failure.
    static func openInput(path: String, interrupt: InterruptFlag, openedAt: ContinuousClock.Instant) throws -> InputContext {
        do {
            return try InputContext(path: path, interrupt: interrupt)
        } catch {
            try checkStop(path: path, interrupt: interrupt, openedAt: openedAt)
            throw error
        }
    }

    func openInput() throws -> InputContext {
        let opened = try Self.openInput(path: path, interrupt: interrupt, openedAt: openedAt)
        Self.discardOtherStreams(in: opened, keeping: streamIndex)
        return opened
    }

    private static func bestVideoStream(in input: InputContext) throws -> Int32 {
        var codec: UnsafePointer<AVCodec>?
        let best = av_find_best_stream(input.pointer, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0)
        if best >= 0 { return best }
        if best == CFFmpeg_AVERROR_DECODER_NOT_FOUND() {
            // Name the codec of the first video stream, which had no decoder.
            for i in 0..<input.streamCount {
                if let parameters = input.stream(Int32(i))?.pointee.codecpar, parameters.pointee.codec_type == AVMEDIA_TYPE_VIDEO {
                    throw MediaError.unsupportedCodec(path: input.path, codec: String(cString: avcodec_get_name(parameters.pointee.codec_id)))
                }
            }
        }
        throw MediaError.noVideoStream(path: input.path)
    }

    /// Other streams are skipped by the demuxer, so index scans and decodes read only video packets.
    private static func discardOtherStreams(in input: InputContext, keeping kept: Int32) {
        for i in 0..<input.streamCount where Int32(i) != kept {
            input.stream(Int32(i))?.pointee.discard = AVDISCARD_ALL
        }
    }

    /// Reads every packet of the video stream. Corrupt (partial) packets are left out of the index; a
    /// read error other than end of file ends the scan with a warning (truncated file). Returns false as
    /// the second value when some packet has neither pts nor dts (raw elementary streams): timestamps are
    /// then the decode positions.
    private static func scanPackets(input: InputContext, streamIndex: Int32, interrupt: InterruptFlag,
                                    openedAt: ContinuousClock.Instant, warnings: inout [String]) throws -> ([PacketEntry], Bool) {
        let packet = try PacketBuffer()
        var entries: [PacketEntry] = []
        var corrupt = 0
        var timestamped = true
        let noValue = CFFmpeg_AV_NOPTS_VALUE()
        while true {
            try checkStop(path: input.path, interrupt: interrupt, openedAt: openedAt)
            let code = av_read_frame(input.pointer, packet.pointer)
            if code == CFFmpeg_AVERROR_EOF() { break }
            if code < 0 {
                if interrupt.shouldInterrupt { try checkStop(path: input.path, interrupt: interrupt, openedAt: openedAt) }
                warnings.append("\(input.path): stream ends early after \(entries.count) video packets: \(ffmpegErrorText(code)) (truncated or damaged file)")
                break
            }
            defer { av_packet_unref(packet.pointer) }
            let p = packet.pointer.pointee
            guard p.stream_index == streamIndex else { continue }
            if p.flags & AV_PKT_FLAG_CORRUPT != 0 { corrupt += 1; continue }
            let dts: Int64? = p.dts == noValue ? nil : p.dts
            let timestamp = p.pts != noValue ? p.pts : dts
            if timestamp == nil { timestamped = false }
            entries.append(PacketEntry(timestamp: timestamp ?? 0, dts: dts, duration: p.duration,
                                       isKeyframe: p.flags & AV_PKT_FLAG_KEY != 0, bytePosition: p.pos,
                                       isHidden: p.flags & AV_PKT_FLAG_DISCARD != 0))
        }
        if corrupt > 0 {
            warnings.append("\(input.path): \(corrupt) corrupt (partial) video packet(s) left out of the frame index")
        }
        if !timestamped {
            for i in entries.indices {
                entries[i].timestamp = Int64(i)
                entries[i].dts = nil
            }
        }
        return (entries, timestamped)
    }

    private static func makeInfo(path: String, input: InputContext, stream: UnsafeMutablePointer<AVStream>, index: PacketIndex) -> VideoInfo {
        let s = stream.pointee
        let base = s.time_base
        let seconds = { (t: Int64) -> Double in Self.seconds(t, timeBase: base) }
        let nominalRate = Self.nominalFrameRate(of: s)
        // Streams without timestamps: frame i is shown at i / frame rate.
        let timestamps = index.hasTimestamps ? index.displayTimestamps.map(seconds)
            : (0..<index.count).map { Double($0) / nominalRate }
        let parameters = s.codecpar.pointee
        let container = input.pointer.pointee.iformat.map { String(cString: $0.pointee.name) } ?? ""
        let pixelFormat = av_get_pix_fmt_name(AVPixelFormat(rawValue: parameters.format)).map { String(cString: $0) } ?? "none"
        let first = timestamps.first ?? 0
        let last = index.displayToDecode.last.map { index.entries[$0] }
        var averageRate = s.avg_frame_rate.den > 0 && s.avg_frame_rate.num > 0
            ? Double(s.avg_frame_rate.num) / Double(s.avg_frame_rate.den) : 0
        let span = (timestamps.last ?? 0) - first
        if averageRate == 0, span > 0 { averageRate = Double(timestamps.count - 1) / span }
        let lastDuration = last.map {
            index.hasTimestamps && $0.duration > 0 ? seconds($0.duration) : 1 / (averageRate > 0 ? averageRate : nominalRate)
        } ?? 0
        let endTime = (timestamps.last ?? 0) + lastDuration
        let containerDuration = input.pointer.pointee.duration
        let duration = containerDuration > 0 && containerDuration != CFFmpeg_AV_NOPTS_VALUE()
            ? Double(containerDuration) / Double(CFFmpeg_AV_TIME_BASE()) : endTime - first
        return VideoInfo(
            path: path, container: container, codec: String(cString: avcodec_get_name(parameters.codec_id)),
            streamIndex: Int(s.index), width: Int(parameters.width), height: Int(parameters.height),
            rotation: displayRotation(of: stream), pixelFormat: pixelFormat, averageFrameRate: averageRate,
            timeBase: Rational(numerator: Int(base.num), denominator: Int(base.den)), duration: duration,
            bitRate: Int(input.pointer.pointee.bit_rate), frameCount: index.count,
            keyframeIndices: index.keyframeDisplayIndices, hasBFrames: index.hasReordering,
            frameTimestamps: timestamps, hasTimestamps: index.hasTimestamps, endTime: endTime)
    }

    /// A timestamp in `timeBase` units as seconds (what `VideoInfo.frameTimestamps` holds).
    static func seconds(_ t: Int64, timeBase base: AVRational) -> Double {
        Double(t) * Double(base.num) / Double(base.den)
    }

    /// avg_frame_rate, else r_frame_rate, else 25 (FFmpeg's own default for raw streams).
    static func nominalFrameRate(of stream: AVStream) -> Double {
        for rate in [stream.avg_frame_rate, stream.r_frame_rate] where rate.num > 0 && rate.den > 0 {
            return Double(rate.num) / Double(rate.den)
        }
        return 25
    }

    /// Clockwise degrees the ffmpeg CLI rotates by (`-av_display_rotation_get` mod 360, to a right angle).
    static func displayRotation(of stream: UnsafeMutablePointer<AVStream>) -> Int {
        var size: Int = 0
        guard let data = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, &size),
              size >= 9 * MemoryLayout<Int32>.size else { return 0 }
        let counterclockwise = data.withMemoryRebound(to: Int32.self, capacity: 9) { av_display_rotation_get($0) }
        guard counterclockwise.isFinite else { return 0 }
        let clockwise = -counterclockwise
        let quarter = Int((clockwise / 90).rounded())
        return ((quarter % 4) + 4) % 4 * 90
    }

    // MARK: - Cancellation and deadline

    static func checkStop(path: String, interrupt: InterruptFlag, openedAt: ContinuousClock.Instant) throws {
        if interrupt.isCancelled { throw MediaError.cancelled(path: path) }
        if let deadline = interrupt.deadline, ContinuousClock.now >= deadline {
            let elapsed = ContinuousClock.now - openedAt
            let seconds = elapsed.seconds
            throw MediaError.timedOut(path: path, seconds: seconds)
        }
    }

    func checkStop() throws {
        try Self.checkStop(path: path, interrupt: interrupt, openedAt: openedAt)
    }

    /// Notes frames a call wanted and did not get (see `undecodableFrames`).
    func recordUndecodable<S: Sequence>(_ indices: S) where S.Element == Int {
        undecodableFrames.formUnion(indices)
    }

    /// Warnings kept per reader; a badly damaged file would otherwise add one per packet.
    static let warningLimit = 100

    /// Adds a warning once: calls that decode the same damaged packet again do not repeat it.
    func warn(_ message: String) {
        let text = "\(path): \(message)"
        guard !warnings.contains(text) else { return }
        if warnings.count < Self.warningLimit {
            warnings.append(text)
        } else if warnings.count == Self.warningLimit {
            warnings.append("\(path): more warnings suppressed")
        }
    }

    // MARK: - Shared helpers

    func checkIndex(_ i: Int) throws {
        guard i >= 0, i < index.count else {
            throw MediaError.outOfRange(path: path, what: "frame index \(i) (video has \(index.count) frames)")
        }
    }

    /// Display index of a decoded picture, from the decode position every fed packet carries in its pts
    /// (see `pump`); nil when it names no packet or a hidden one.
    func displayIndex(of frame: UnsafePointer<AVFrame>) -> Int? {
        let noValue = CFFmpeg_AV_NOPTS_VALUE()
        let t = frame.pointee.best_effort_timestamp != noValue ? frame.pointee.best_effort_timestamp : frame.pointee.pts
        guard t >= 0, t < Int64(index.entries.count) else { return nil }
        return index.decodeToDisplay[Int(t)]
    }

    func frameValue(_ frame: UnsafePointer<AVFrame>, display: Int, output: FrameOutput) throws -> Frame {
        try frameValue(frame, display: display, timestamp: info.frameTimestamps[display],
                       isKeyframe: index.entries[index.displayToDecode[display]].isKeyframe, output: output)
    }

    /// A frame whose timestamp and key flag the caller knows (the one-pass keyframes have no index).
    func frameValue(_ frame: UnsafePointer<AVFrame>, display: Int, timestamp: Double, isKeyframe: Bool,
                    output: FrameOutput) throws -> Frame {
        let converted = try converter.convert(frame, output: output, rotation: headerInfo.rotation, path: path)
        return Frame(index: display, timestamp: timestamp, pictureType: PictureType(frame.pointee.pict_type),
                     isKeyframe: isKeyframe, width: converted.width, height: converted.height, pixels: converted.pixels)
    }

    func motionValue(_ frame: UnsafePointer<AVFrame>, display: Int) -> FrameMotion {
        FrameMotion(index: display, timestamp: info.frameTimestamps[display],
                    pictureType: PictureType(frame.pointee.pict_type),
                    width: Int(frame.pointee.width), height: Int(frame.pointee.height),
                    vectors: FrameMotion.vectors(of: frame))
    }
}
