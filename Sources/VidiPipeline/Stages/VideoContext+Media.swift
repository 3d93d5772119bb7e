import VidiMedia

/// How frame-decoding stages size their output: set by a `resize` stage, read by later frame stages.
public struct FrameGeometry: Sendable, Equatable, VideoProduct {
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
        if let open = product(OpenReader.self) { return open.reader }
        let reader = try VideoReader(path: path, options: ReaderOptions(threads: 1, exportMotionVectors: true, deadline: deadline))
        store(OpenReader(reader: reader))
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
        get { product(FrameGeometry.self) ?? FrameGeometry() }
        set { store(newValue) }
    }

    /// Every frame's motion vectors and picture type in display order, decoded once (no RGB conversion)
    /// and shared by the motion stages.
    public func motionPass() throws -> [FrameMotion] {
        if let cached = product(MotionPass.self) { return cached.frames }
        _ = try decodePass(keyframes: nil)
        return product(MotionPass.self)?.frames ?? []
    }

    /// The keyframes at `output`, in display order. When a later stage reads the motion pass (and it has
    /// not run yet), both come from one decode: every frame's motion is exported and only the keyframes
    /// are converted; the motion is cached for those stages. Otherwise `VideoReader.keyframes` (which
    /// decodes the keyframes alone). Same pictures either way (tested).
    public func keyframes(_ output: FrameOutput) throws -> [Frame] {
        guard needsMotionPass, product(MotionPass.self) == nil else {
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
        store(MotionPass(frames: motion))
        return keyframes
    }

    /// The reader that opened this video, if a stage opened one (its warnings mark damage).
    var openedReader: VideoReader? { product(OpenReader.self)?.reader }
}

/// The video's decoder, opened once by the first stage that asks (`VideoContext.reader()`).
struct OpenReader: VideoProduct {
    let reader: VideoReader
}

/// Every frame's motion vectors and picture type, in display order, from one decode.
struct MotionPass: VideoProduct {
    let frames: [FrameMotion]
}

/// Frames a frame-producing stage decoded, by its output name, for later stages (models) to read
/// without decoding again: `FramePasses` holds one per producing stage.
public struct DecodedFrames: Sendable {
    /// The sampled display indices, one list per clip (one list for plain samplers).
    public let clips: [[Int]]
    /// Every clip's frames, concatenated, at the geometry in force when they were decoded.
    public let frames: [Frame]
    /// The centre crop still to apply (height, width), when the geometry asked for one.
    public let crop: (height: Int, width: Int)?
}

/// The frame passes of a video, by the producing stage's output name (`frames`, `keyframes`, ...).
public struct FramePasses: VideoProduct {
    public var byName: [String: DecodedFrames] = [:]
}

extension VideoContext {
    /// Keeps `frames` under `name` for later stages.
    func keepFrames(_ frames: DecodedFrames, as name: String) {
        var passes = product(FramePasses.self) ?? FramePasses()
        passes.byName[name] = frames
        store(passes)
    }

    /// The frames the stage with output `name` decoded. The spec check guarantees an earlier producer;
    /// a producer that failed has already failed the video, so a miss here is a bug, reported as such.
    public func frames(named name: String, for stage: String) throws -> DecodedFrames {
        guard let pass = product(FramePasses.self)?.byName[name] else {
            throw PipelineError.stage(stage: stage, message: "no frames named '\(name)' were decoded before this stage")
        }
        return pass
    }
}
