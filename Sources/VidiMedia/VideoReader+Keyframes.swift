import CFFmpeg

extension VideoReader {
    /// Decodes every keyframe and calls `body` with each picture, its display index and timestamp
    /// (seconds), in display order. Returns the keyframes' display indices and those delivered.
    ///
    /// With the index built, each keyframe is decoded after a seek to its packet (`decodePictures`).
    /// Without it (`indexAtOpen` false) one pass reads the packets in decode order and decodes only the
    /// keyframes, each numbered by `KeyframeOrder` a few packets after its own: no scan before the first
    /// keyframe comes out, and each is decoded on its own after a flush, as the indexed path does, so the
    /// pictures are the same. When the stream's timestamps do not allow that numbering (see
    /// `KeyframeOrder`), the index is built then and the keyframes not yet delivered come from it.
    func decodeKeyframes(_ body: (UnsafeMutablePointer<AVFrame>, _ display: Int, _ timestamp: Double) throws -> Void)
        throws -> (wanted: [Int], delivered: Set<Int>) {
        if !isIndexed {
            let pass = try keyframesInOnePass(body)
            if pass.complete {
                guard pass.sawFrames else {
                    throw MediaError.corrupt(path: path, reason: "the video stream holds no readable packets")
                }
                return (pass.numbered.map(\.display), pass.delivered)
            }
            try indexed()
            // What the pass numbered held then; should a later packet have broken the rules in a way
            // that changes it, the index tells, and the caller hears of it.
            let timestamps = index.displayTimestamps
            for (display, pts) in pass.numbered where !timestamps.indices.contains(display) || timestamps[display] != pts {
                warn("keyframe with pts \(pts) was numbered \(display) before the stream's timestamps went out of order")
            }
            let last = pass.numbered.last?.display ?? -1
            let rest = index.keyframeDisplayIndices.filter { $0 > last }
            let more = try decodePictures(rest, keyframesOnly: true) { picture, display in
                try body(picture, display, info.frameTimestamps[display])
            }
            return (pass.numbered.map(\.display) + rest, pass.delivered.union(more))
        }
        try indexed()
        let wanted = info.keyframeIndices
        let delivered = try decodePictures(wanted, keyframesOnly: true) { picture, display in
            try body(picture, display, info.frameTimestamps[display])
        }
        return (wanted, delivered)
    }

    /// The one pass of `decodeKeyframes` without an index. `complete` is false when it stopped at a
    /// packet `KeyframeOrder` cannot number past (the keyframes before it were delivered, in order).
    private func keyframesInOnePass(_ body: (UnsafeMutablePointer<AVFrame>, Int, Double) throws -> Void)
        throws -> (numbered: [(display: Int, pts: Int64)], delivered: Set<Int>, complete: Bool, sawFrames: Bool) {
        let state = try decodeState(DecoderConfiguration(exportsMotion: false, keyframesOnly: true))
        state.runStart = nil  // the indexed paths must position this decoder before using it
        if demuxerMoved { input = try openInput() }
        demuxerMoved = true
        var order = KeyframeOrder<PacketBuffer>()
        var numbered: [(display: Int, pts: Int64)] = []
        var delivered = Set<Int>()
        let noValue = CFFmpeg_AV_NOPTS_VALUE()
        var position = 0  // decode position among the packets an index would hold
        func decode(_ keyframes: [KeyframeOrder<PacketBuffer>.Keyframe]) throws {
            for keyframe in keyframes {
                numbered.append((keyframe.display, keyframe.pts))
                if try self.decodeAlone(keyframe.held, display: keyframe.display, state: state, { picture in
                    try body(picture, keyframe.display, Self.seconds(keyframe.pts, timeBase: self.timeBase))
                }) {
                    delivered.insert(keyframe.display)
                }
            }
        }
        while try readVideoPacket() {
            defer { av_packet_unref(packet.pointer) }
            let p = packet.pointer.pointee
            let isFrame = p.flags & AV_PKT_FLAG_DISCARD == 0
            let held = isFrame && p.flags & AV_PKT_FLAG_KEY != 0 ? try PacketBuffer(referencing: packet.pointer) : nil
            held?.pointer.pointee.pts = Int64(position)  // carried by the decoded picture, as `placePacket` does
            held?.pointer.pointee.dts = noValue
            position += 1
            let ready: [KeyframeOrder<PacketBuffer>.Keyframe]
            do {
                ready = try order.add(pts: p.pts == noValue ? nil : p.pts, dts: p.dts == noValue ? nil : p.dts,
                                      isFrame: isFrame, held: held)
            } catch {
                return (numbered, delivered, false, order.sawFrames)
            }
            try decode(ready)
        }
        try decode(order.finish())
        // The scan's check for a cut-off file, which the pass skipped (the index would have run it).
        if let stream = input.stream(streamIndex), let truncated = Self.truncationWarning(path: path, stream: stream) {
            warn(truncated)
        }
        return (numbered, delivered, true, order.sawFrames)
    }

    /// Decodes one packet on its own (flush, send, drain), as the indexed keyframes path does after its
    /// seek, and calls `body` with the first picture that comes out. Returns whether one came out.
    private func decodeAlone(_ held: PacketBuffer, display: Int, state: DecodeState,
                             _ body: (UnsafeMutablePointer<AVFrame>) throws -> Void) throws -> Bool {
        let context = state.context.pointer
        avcodec_flush_buffers(context)
        defer { avcodec_flush_buffers(context) }
        statistics.packetsDecoded += 1
        let sent = avcodec_send_packet(context, held.pointer)
        if sent < 0 {
            warn("packet \(held.pointer.pointee.pts) (decode order) could not be decoded: \(ffmpegErrorText(sent))")
            return false
        }
        _ = avcodec_send_packet(context, nil)
        var done = false
        while true {
            let code = avcodec_receive_frame(context, picture.pointer)
            if code == CFFmpeg_AVERROR_EAGAIN() || code == CFFmpeg_AVERROR_EOF() { return done }
            if code < 0 {
                warn("decoding failed: \(ffmpegErrorText(code))")
                return done
            }
            defer { av_frame_unref(picture.pointer) }
            guard !done else { continue }
            done = true
            if picture.pointer.pointee.decode_error_flags != 0 || picture.pointer.pointee.flags & AV_FRAME_FLAG_CORRUPT != 0 {
                warn("frame \(display) has decoding errors (damaged data, concealed by the decoder)")
            }
            try body(picture.pointer)
        }
    }
}
