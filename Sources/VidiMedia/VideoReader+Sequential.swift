import CFFmpeg

extension VideoReader {
    /// Decodes the whole video from the start and calls `body` for each frame in display order (the order
    /// the decoder outputs them; each index at most once), with the
    /// converted picture when `output` is given and the motion vectors when `motion` is true. Streams:
    /// only one frame is alive at a time. A stream that breaks midway delivers the frames before the break
    /// and adds a warning; a file with no decodable frame throws `MediaError.corrupt`.
    ///
    /// `converting` limits the colour conversion to some frames (the others come with `image == nil`), so
    /// one pass can export every frame's motion and keep, say, only the keyframes as pictures: cheaper than
    /// a motion pass plus `keyframes()`, and the keyframe pictures are the same bytes (an intra picture
    /// decodes the same whatever was decoded before it). With no `output`, or `.keyframes`, P and B
    /// pictures are parsed but not reconstructed (their pixels are never used; vectors and picture types
    /// come from the bitstream alone), and with `.keyframes` only key frames that are I pictures come
    /// with an image.
    public func forEachFrame(_ output: FrameOutput? = nil, motion: Bool = false, converting selection: FrameSelection = .all,
                             _ body: (DecodedFrame) throws -> Void) throws {
        if let output { try FrameConverter.validate(output) }
        try indexed()
        // When no P/B picture is converted their pixels are never looked at: skip reconstructing them.
        let configuration = DecoderConfiguration(exportsMotion: motion || options.exportMotionVectors, keyframesOnly: false,
                                                 intraPicturesOnly: output == nil || selection == .keyframes)
        let state = try decodeState(configuration)
        try position(state, at: 0)
        var delivered = 0
        var seen = [Bool](repeating: false, count: info.frameCount)
        try pump(state) { picture, display in
            guard !seen[display] else { return true }  // a repeated timestamp: keep the first picture
            seen[display] = true
            let entry = index.entries[index.displayToDecode[display]]
            // A skipped reconstruction leaves only I pictures whole: never hand out another picture then
            // (a container can flag a P picture as key).
            let converts = selection.contains(display, isKeyframe: entry.isKeyframe)
                && (!configuration.intraPicturesOnly || picture.pointee.pict_type == AV_PICTURE_TYPE_I)
            let decoded = DecodedFrame(
                index: display, timestamp: info.frameTimestamps[display],
                pictureType: PictureType(picture.pointee.pict_type), isKeyframe: entry.isKeyframe,
                image: converts ? try output.map { try frameValue(picture, display: display, output: $0) } : nil,
                motion: motion ? motionValue(picture, display: display) : nil)
            try body(decoded)
            delivered += 1
            return true
        }
        recordUndecodable(seen.indices.filter { !seen[$0] })
        try finishSequential(delivered: delivered, what: "frames")
    }

    /// Every keyframe, decoded with `skip_frame = AVDISCARD_NONKEY` (P and B frames are never decoded),
    /// in display order. Needs no packet index (see `ReaderOptions.indexAtOpen`).
    public func keyframes(_ output: FrameOutput = .init()) throws -> [Frame] {
        try FrameConverter.validate(output)
        var frames: [Frame] = []
        let (wanted, delivered) = try decodeKeyframes { picture, display, timestamp in
            frames.append(try frameValue(picture, display: display, timestamp: timestamp, isKeyframe: true, output: output))
        }
        recordUndecodable(Set(wanted).subtracting(delivered))
        try finishSequential(delivered: frames.count, what: "keyframes", expected: wanted.count)
        return frames.sorted { $0.index < $1.index }
    }

    /// The motion vectors of every frame in display order (I-frames: empty), decoded with
    /// `flags2 +export_mvs` and slice threading only, so they are the same for every `threads` setting.
    /// No colour conversion is done.
    public func motionVectors() throws -> [FrameMotion] {
        var result: [FrameMotion] = []
        result.reserveCapacity(info.frameCount)
        try forEachFrame(nil, motion: true) { frame in
            if let motion = frame.motion { result.append(motion) }
        }
        return result
    }

    /// Throws when nothing decoded; warns when fewer frames came out than the index holds.
    private func finishSequential(delivered: Int, what: String, expected: Int? = nil) throws {
        let expected = expected ?? info.frameCount
        if delivered == 0, expected > 0 {
            throw MediaError.corrupt(path: path, reason: "none of the \(expected) \(what) could be decoded")
        }
        if delivered < expected { warn("decoded \(delivered) of \(expected) \(what)") }
    }
}

/// Which frames a sequential pass converts to pictures.
public enum FrameSelection: Sendable, Equatable {
    case all
    /// Frames whose packet is a keyframe (the frames `VideoReader.keyframes()` returns).
    case keyframes
    /// These display indices.
    case indices(Set<Int>)

    func contains(_ display: Int, isKeyframe: Bool) -> Bool {
        switch self {
        case .all: return true
        case .keyframes: return isKeyframe
        case .indices(let set): return set.contains(display)
        }
    }
}
