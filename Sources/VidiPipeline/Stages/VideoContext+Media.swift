import VidiMedia

/// How frame-decoding stages size their output: set by a `resize` stage, read by later frame stages.
public struct FrameGeometry: Sendable, Equatable {
    public var size: FrameOutput.Size = .original
    /// Centre crop to (height, width) after resizing, when set.
    public var crop: (height: Int, width: Int)?

    public init(size: FrameOutput.Size = .original, crop: (height: Int, width: Int)? = nil) {
        self.size = size
        self.crop = crop
    }

    public static func == (a: FrameGeometry, b: FrameGeometry) -> Bool {
        a.size == b.size && a.crop?.height == b.crop?.height && a.crop?.width == b.crop?.width
    }

    var output: FrameOutput { FrameOutput(size: size, applyRotation: true, layout: .rgb8) }

    /// Bytes of one RGB frame at this geometry (an upper bound for `shorterSide`), for memory checks.
    func frameBytes(_ info: VideoInfo) -> Int {
        var pixels: Int
        switch size {
        case .original: pixels = info.width * info.height
        case .exact(let width, let height): pixels = width * height
        case .shorterSide(let side):
            let short = max(1, min(info.width, info.height)), long = max(info.width, info.height)
            pixels = side * (side * long / short + 1)
        }
        if let crop { pixels = min(pixels, crop.height * crop.width) }
        return pixels * 3
    }
}

extension VideoContext {
    /// The video's reader, opened once and shared by every stage of this video. Single-threaded decode
    /// (parallelism is across videos; frame threading would also corrupt exported motion vectors) with
    /// the video's deadline.
    public func reader() throws -> VideoReader {
        if let reader = shared["reader"] as? VideoReader { return reader }
        let reader = try VideoReader(path: path, options: ReaderOptions(threads: 1, exportMotionVectors: true, deadline: deadline))
        shared["reader"] = reader
        return reader
    }

    /// The frames at `indices` by display index. Strict runs throw at the first frame that does not
    /// decode; with `run.damaged: keep` such frames are only absent (the reader records them).
    public func decodeFrames(at indices: [Int], _ output: FrameOutput) throws -> [Int: Frame] {
        let reader = try reader()
        let frames = keepsDamaged ? try reader.decodableFrames(at: indices, output).frames : try reader.frames(at: indices, output)
        return Dictionary(frames.map { ($0.index, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The geometry set by the last `resize` stage before this point (original size otherwise).
    public var geometry: FrameGeometry {
        get { shared["geometry"] as? FrameGeometry ?? FrameGeometry() }
        set { shared["geometry"] = newValue }
    }

    /// Every frame's motion vectors and picture type in display order, decoded once (no RGB conversion)
    /// and shared by the motion stages.
    public func motionPass() throws -> [FrameMotion] {
        if let cached = shared["motion"] as? [FrameMotion] { return cached }
        _ = try decodePass(keyframes: nil)
        return shared["motion"] as? [FrameMotion] ?? []
    }

    /// The keyframes at `output`, in display order. When a later stage reads the motion pass (and it has
    /// not run yet), both come from one decode: every frame's motion is exported and only the keyframes
    /// are converted; the motion is cached for those stages. Otherwise `VideoReader.keyframes` (which
    /// decodes the keyframes alone). Same pictures either way (tested).
    public func keyframes(_ output: FrameOutput) throws -> [Frame] {
        guard needsMotionPass, shared["motion"] == nil else {
            let frames = try reader().keyframes(output)
            framesDecoded += frames.count
            return frames
        }
        let frames = try decodePass(keyframes: output)
        // Odd streams (a key-flagged P picture) leave a keyframe out of the pass: decode them the usual way.
        guard frames.map(\.index) == (try reader()).info.keyframeIndices else {
            let keyframes = try reader().keyframes(output)
            framesDecoded += keyframes.count
            return keyframes
        }
        return frames
    }

    /// One sequential decode that exports every frame's motion (cached as the motion pass) and, when
    /// `keyframes` is given, converts the keyframes to it and returns them (sorted by display index).
    private func decodePass(keyframes output: FrameOutput?) throws -> [Frame] {
        let reader = try reader()
        let (width, height) = (reader.info.width, reader.info.height)
        var motion: [FrameMotion] = []
        motion.reserveCapacity(reader.info.frameCount)
        var keyframes: [Frame] = []
        try reader.forEachFrame(output, motion: true, converting: .keyframes) { decoded in
            motion.append(decoded.motion ?? FrameMotion(index: decoded.index, timestamp: decoded.timestamp, pictureType: decoded.pictureType,
                                                         width: width, height: height, vectors: []))
            if let image = decoded.image { keyframes.append(image) }
        }
        keyframes.sort { $0.index < $1.index }
        framesDecoded += motion.count + keyframes.count
        shared["motion"] = motion
        return keyframes
    }

    /// Whether a stage of this run reads `motionPass()` (set by the runner from the stage list).
    var needsMotionPass: Bool {
        get { shared["needsMotionPass"] as? Bool ?? false }
        set { shared["needsMotionPass"] = newValue }
    }
}
