import CFFmpeg

/// What a decoder is set up for; a call that needs another set-up gets a fresh decoder.
struct DecoderConfiguration: Equatable {
    var exportsMotion: Bool
    var keyframesOnly: Bool
    /// Only I pictures' pixels are used: P/B reconstruction is skipped (see `DecoderContext`).
    var intraPicturesOnly = false
}

/// Counters of decoding work, for tests and benchmarks.
struct DecodeStatistics {
    var seeks = 0
    var packetsDecoded = 0
}

/// A decoder and where its current continuous run stands, in packet-index terms.
final class DecodeState {
    let configuration: DecoderConfiguration
    let context: DecoderContext
    /// Decode position where the current run began; nil when the decoder must be positioned first.
    var runStart: Int?
    /// Packets before this decode position are not fed (the demuxer may land before the keyframe).
    var skipBefore = 0
    /// The first packet after a seek tells whether the demuxer landed at or before the keyframe.
    var awaitingFirstPacket = false
    var rewound = false
    /// Decode position the next video packet read should have: packets follow each other in the file as
    /// in the index, so once one is placed the next is known without looking at its timestamp (which
    /// other packets may share). nil until the first packet after a seek is placed.
    var nextPosition: Int?
    var lastFedPosition = -1
    var lastOutputDisplay = -1
    /// A flush packet was sent: no more input until the decoder is positioned again.
    var draining = false
    /// When set, the decoder is drained right after the packet at this decode position is fed (one
    /// picture decoded on its own, as for each keyframe). Cleared by `position`.
    var lastPacket: Int?

    init(configuration: DecoderConfiguration, context: DecoderContext) {
        self.configuration = configuration
        self.context = context
    }
}

extension VideoReader {
    /// The decoder for `configuration`, reusing the current one when it matches.
    func decodeState(_ configuration: DecoderConfiguration) throws -> DecodeState {
        if let decoder, decoder.configuration == configuration { return decoder }
        decoder = nil  // free the old decoder before making the next
        let context = try DecoderContext(input: input, streamIndex: streamIndex, threads: options.threads,
                                         exportMotionVectors: configuration.exportsMotion,
                                         keyframesOnly: configuration.keyframesOnly,
                                         intraPicturesOnly: configuration.intraPicturesOnly)
        let state = DecodeState(configuration: configuration, context: context)
        decoder = state
        return state
    }

    /// Decoder set-up for pixel access: exports vectors too when the options ask for it.
    var pictureConfiguration: DecoderConfiguration {
        DecoderConfiguration(exportsMotion: options.exportMotionVectors, keyframesOnly: false)
    }

    /// Seeks the demuxer to the keyframe at decode position `start` (or before it) and flushes the decoder.
    func position(_ state: DecodeState, at start: Int) throws {
        avcodec_flush_buffers(state.context.pointer)
        state.runStart = start
        state.skipBefore = start
        state.awaitingFirstPacket = true
        state.rewound = false
        state.lastFedPosition = -1
        state.lastOutputDisplay = -1
        state.draining = false
        state.lastPacket = nil
        state.nextPosition = index.hasTimestamps ? nil : 0
        statistics.seeks += 1
        try seekDemuxer(toPosition: start)
    }

    /// Seeks to at or before decode position `start`. Uses min(pts, dts): demuxers index by either, and
    /// landing early only costs skipped packets. Reopens the input when it cannot seek (pipes, some URLs).
    private func seekDemuxer(toPosition start: Int) throws {
        guard index.hasTimestamps else {
            // Packets are placed by counting from the start, so go back to the start.
            input = try openInput()
            return
        }
        let entry = index.entries[start]
        let target = min(entry.timestamp, entry.dts ?? entry.timestamp)
        let code = avformat_seek_file(input.pointer, streamIndex, Int64.min, target, target, 0)
        if code >= 0 { return }
        // Not seekable: start over from the beginning; packets before `start` are skipped.
        input = try openInput()
    }

    /// The demuxer landed after the wanted keyframe: go back to the first packet and skip forward.
    private func rewind(_ state: DecodeState) throws {
        guard !state.rewound else {
            throw MediaError.corrupt(path: path, reason: "cannot seek back to packet \(state.skipBefore): the demuxer lands after it")
        }
        avcodec_flush_buffers(state.context.pointer)
        try seekDemuxer(toPosition: 0)
        state.nextPosition = index.hasTimestamps ? nil : 0
        state.rewound = true
        state.awaitingFirstPacket = false
    }

    /// Whether the decoder can reach display frame `target` (whose decoding starts at keyframe position
    /// `start`) by decoding on, instead of seeking: its run began at or before `start`, it has already fed
    /// that keyframe (or is right before it), and it has not output `target` yet.
    func canContinue(_ state: DecodeState, from start: Int, to target: Int) -> Bool {
        guard let runStart = state.runStart, !state.draining, runStart <= start else { return false }
        guard target > state.lastOutputDisplay else { return false }
        return start <= state.lastFedPosition + 1
    }

    /// Reads packets from the demuxer's position and decodes them, calling `body` with each output picture
    /// and its display index until `body` returns false or the stream ends (the decoder is then drained).
    /// Undecodable packets and a stream that breaks midway become warnings; frames before them still come.
    @discardableResult
    func pump(_ state: DecodeState, _ body: (UnsafeMutablePointer<AVFrame>, Int) throws -> Bool) throws -> Bool {
        do {
            return try pumpPackets(state, body)
        } catch {
            state.runStart = nil  // stopped at an unknown point: the next call repositions the decoder
            throw error
        }
    }

    private func pumpPackets(_ state: DecodeState, _ body: (UnsafeMutablePointer<AVFrame>, Int) throws -> Bool) throws -> Bool {
        let context = state.context.pointer
        // Pictures left in the decoder by an earlier early stop come first.
        if try !receive(state, body) { return false }
        if !state.draining {
            while try readVideoPacket() {
                defer { av_packet_unref(packet.pointer) }
                guard let position = placePacket(state) else { continue }
                if state.awaitingFirstPacket {
                    state.awaitingFirstPacket = false
                    if position > state.skipBefore { try rewind(state); continue }
                }
                if position < state.skipBefore { continue }
                // Not every decoder honours skip_frame (FFmpeg 5.1's VP9 decodes everything), so
                // keyframes-only decoding also withholds the packets the index marks non-key.
                if state.configuration.keyframesOnly, !index.entries[position].isKeyframe { continue }
                state.lastFedPosition = position
                statistics.packetsDecoded += 1
                var sent = avcodec_send_packet(context, packet.pointer)
                var keepGoing = true
                if sent == CFFmpeg_AVERROR_EAGAIN() {
                    // Output must be taken before this packet is accepted. Take all of it, even past a
                    // stop request, so the packet is never dropped; callers tolerate extra frames.
                    _ = try receive(state) { picture, display in
                        keepGoing = try body(picture, display) && keepGoing
                        return true
                    }
                    sent = avcodec_send_packet(context, packet.pointer)
                }
                if sent < 0 {
                    warn("packet \(position) (decode order) could not be decoded: \(ffmpegErrorText(sent))")
                    if !keepGoing { return false }
                    continue
                }
                if !keepGoing { return false }
                if try !receive(state, body) { return false }
                if let last = state.lastPacket, position >= last { break }
            }
            state.draining = true
            _ = avcodec_send_packet(context, nil)
        }
        return try receive(state, body)
    }

    /// Reads on from the demuxer's position until `packet` holds the next intact packet of the video
    /// stream (the caller unrefs it); false at the end of the stream. A read error other than end of file
    /// ends the stream with a warning (truncated or damaged file).
    func readVideoPacket() throws -> Bool {
        while true {
            try checkStop()
            let code = av_read_frame(input.pointer, packet.pointer)
            if code == CFFmpeg_AVERROR_EOF() { return false }
            if code < 0 {
                if interrupt.shouldInterrupt { try checkStop() }
                warn("stream ends early: \(ffmpegErrorText(code)) (truncated or damaged file)")
                return false
            }
            let p = packet.pointer.pointee
            if p.stream_index == streamIndex, p.flags & AV_PKT_FLAG_CORRUPT == 0 { return true }
            av_packet_unref(packet.pointer)
        }
    }

    /// The decode position of the packet just read: the one after the previous packet when its
    /// timestamp agrees, else found by timestamp (the first packet after a seek, or after a packet the
    /// scan did not see); streams without timestamps only count. The position is then stamped into the
    /// packet's pts (dts cleared, so `best_effort_timestamp` is that pts) and the decoded frame carries
    /// it: frames map to packets exactly even when timestamps repeat.
    private func placePacket(_ state: DecodeState) -> Int? {
        let noValue = CFFmpeg_AV_NOPTS_VALUE()
        let p = packet.pointer.pointee
        var placed: Int?
        if !index.hasTimestamps {
            guard let next = state.nextPosition, next < index.entries.count else { return nil }
            placed = next
        } else {
            let key = p.pts != noValue ? p.pts : p.dts
            guard key != noValue else { return nil }
            if let next = state.nextPosition, next < index.entries.count, index.entries[next].timestamp == key,
               p.pos < 0 || index.entries[next].bytePosition < 0 || index.entries[next].bytePosition == p.pos {
                placed = next
            } else {
                placed = index.position(ofTimestamp: key, bytePosition: p.pos, isKeyframe: p.flags & AV_PKT_FLAG_KEY != 0,
                                        preferred: state.awaitingFirstPacket ? state.skipBefore : state.nextPosition)
            }
        }
        guard let position = placed else { return nil }
        state.nextPosition = position + 1
        packet.pointer.pointee.pts = Int64(position)
        packet.pointer.pointee.dts = noValue
        return position
    }

    /// Takes every picture the decoder has ready.
    private func receive(_ state: DecodeState, _ body: (UnsafeMutablePointer<AVFrame>, Int) throws -> Bool) throws -> Bool {
        let context = state.context.pointer
        while true {
            let code = avcodec_receive_frame(context, picture.pointer)
            if code == CFFmpeg_AVERROR_EAGAIN() || code == CFFmpeg_AVERROR_EOF() { return true }
            if code < 0 {
                warn("decoding failed: \(ffmpegErrorText(code))")
                return true
            }
            defer { av_frame_unref(picture.pointer) }
            guard let display = displayIndex(of: picture.pointer) else { continue }
            state.lastOutputDisplay = display
            if picture.pointer.pointee.decode_error_flags != 0 || picture.pointer.pointee.flags & AV_FRAME_FLAG_CORRUPT != 0 {
                warn("frame \(display) has decoding errors (damaged data, concealed by the decoder)")
            }
            if try !body(picture.pointer, display) { return false }
        }
    }
}
