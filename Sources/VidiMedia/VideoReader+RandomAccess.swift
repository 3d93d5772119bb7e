import CFFmpeg

extension VideoReader {
    /// The frame at display index `index`, bit-identical to the same frame of a decode from the start.
    public func frame(at index: Int, _ output: FrameOutput = .init()) throws -> Frame {
        let frames = try frames(at: [index], output)
        guard let frame = frames.first else {
            throw MediaError.corrupt(path: path, reason: "frame \(index) could not be decoded")
        }
        return frame
    }

    /// The frames at `indices` (any order, repeats allowed), returned in the requested order. Targets are
    /// grouped by the keyframe their decoding starts from, so each GOP is decoded at most once per call.
    /// Throws `MediaError.corrupt` ("frame i could not be decoded") when one of them does not decode.
    public func frames(at indices: [Int], _ output: FrameOutput = .init()) throws -> [Frame] {
        let found = try decodeFrames(at: indices, output)
        return try indices.map { i in
            guard let frame = found[i] else {
                throw MediaError.corrupt(path: path, reason: "frame \(i) could not be decoded")
            }
            return frame
        }
    }

    /// Like `frames(at:)`, for damaged files: returns the frames that decode (in the requested order,
    /// repeats kept) and the requested indices that did not (ascending, each once), instead of throwing
    /// for them. Other errors (bad indices, cancellation, an unreadable file) still throw.
    public func decodableFrames(at indices: [Int], _ output: FrameOutput = .init()) throws -> (frames: [Frame], missing: [Int]) {
        let found = try decodeFrames(at: indices, output)
        return (indices.compactMap { found[$0] }, Set(indices).subtracting(found.keys).sorted())
    }

    /// Decodes the distinct `indices`, GOP by GOP; what did not come out is recorded in `undecodableFrames`.
    private func decodeFrames(at indices: [Int], _ output: FrameOutput) throws -> [Int: Frame] {
        try indexed()
        for i in indices { try checkIndex(i) }
        try FrameConverter.validate(output)
        var groups: [Int: [Int]] = [:]
        for target in Set(indices) { groups[index.startPosition(forDisplay: target), default: []].append(target) }
        let state = try decodeState(pictureConfiguration)
        var found: [Int: Frame] = [:]
        for start in groups.keys.sorted() {
            let wanted = (groups[start] ?? []).sorted()
            try decode(wanted, startingAt: start, state: state, output: output, into: &found)
        }
        recordUndecodable(Set(indices).subtracting(found.keys))
        return found
    }

    /// The frame displayed at `seconds` (its timestamp <= seconds < the next frame's timestamp, or the
    /// end of the video for the last frame). Timestamps are ffprobe's `pts_time`.
    public func frame(displayedAt seconds: Double, _ output: FrameOutput = .init()) throws -> Frame {
        try indexed()
        guard let i = info.frameIndex(displayedAt: seconds) else {
            throw MediaError.outOfRange(path: path, what: "time \(seconds) s (frames cover \(info.frameTimestamps.first ?? 0) ..< \(info.endTime) s)")
        }
        return try frame(at: i, output)
    }

    /// Frames past the last target to wait for a late one (the largest H.264/HEVC DPB is 16 frames).
    static let reorderSlack = 16

    /// Decodes forward from keyframe `start` (seeking only when the decoder cannot just go on) until every
    /// display index in `wanted` (ascending) has come out or the decoder gives up on them.
    private func decode(_ wanted: [Int], startingAt start: Int, state: DecodeState, output: FrameOutput,
                        into found: inout [Int: Frame]) throws {
        var converted: [Int: Frame] = [:]
        try decodeTargets(wanted, startingAt: start, state: state) { picture, display in
            converted[display] = try frameValue(picture, display: display, output: output)
        }
        found.merge(converted) { a, _ in a }
    }

    /// Decodes forward from keyframe `start` (seeking only when the decoder cannot just go on) and calls
    /// `body` once for each display index of `wanted` (ascending) that comes out.
    func decodeTargets(_ wanted: [Int], startingAt start: Int, state: DecodeState,
                       _ body: (UnsafeMutablePointer<AVFrame>, Int) throws -> Void) throws {
        guard let first = wanted.first, let last = wanted.last else { return }
        if !canContinue(state, from: start, to: first) { try position(state, at: start) }
        var remaining = Set(wanted)
        var pastLast = 0
        try pump(state) { picture, display in
            if remaining.remove(display) != nil { try body(picture, display) }
            // Output is in display order, except while a decoder (H.264 with an under-declared reorder
            // depth) grows its reorder buffer; allow a DPB's worth of frames past the last target.
            if display > last { pastLast += 1 }
            return !remaining.isEmpty && pastLast <= Self.reorderSlack
        }
    }
}
