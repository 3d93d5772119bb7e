import VidiMedia

/// How frame-decoding stages size their output: set by a `resize` stage, read by later frame stages.
/// Frames are made on VidiMedia's model-input path (`ModelInputRequest`): resized in the decoder's YUV
/// planes with torchvision's size rule and antialiasing, centre-cropped as torchvision's `CenterCrop`.
public struct FrameGeometry: Sendable, Equatable, VideoProduct {
    public var resize: ModelInputRequest.Resize = .none
    /// Centre crop to (height, width) after resizing, when set.
    public var crop: (height: Int, width: Int)?
    public var filter: ModelInputRequest.Filter = .bilinear

    public init(resize: ModelInputRequest.Resize = .none, crop: (height: Int, width: Int)? = nil,
                filter: ModelInputRequest.Filter = .bilinear) {
        self.resize = resize
        self.crop = crop
        self.filter = filter
    }

    public static func == (a: FrameGeometry, b: FrameGeometry) -> Bool {
        a.resize == b.resize && a.filter == b.filter && a.crop?.height == b.crop?.height && a.crop?.width == b.crop?.width
    }

    /// The request for `frames` at this geometry, as H x W x 3 bytes one frame at a time.
    func request(_ frames: FrameSampler) -> ModelInputRequest {
        ModelInputRequest(frames: frames, resize: resize,
                          crop: crop.map { .center(width: $0.width, height: $0.height) } ?? .none,
                          layout: .hwcBytes, filter: filter)
    }

    /// Bytes of one RGB frame at this geometry (an upper bound for `shorterSide`), for memory checks.
    func frameBytes(_ info: VideoInfo) -> Int {
        var pixels: Int
        switch resize {
        case .none: pixels = info.width * info.height
        case .fixed(let width, let height): pixels = width * height
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
    /// the video's deadline; without the packet scan at open when no stage needs the frame index.
    public func reader() throws -> VideoReader {
        if let open = product(OpenReader.self) { return open.reader }
        let reader = try VideoReader(path: path, options: ReaderOptions(threads: 1, exportMotionVectors: true, deadline: deadline,
                                                                        indexAtOpen: opensWithFrameIndex))
        store(OpenReader(reader: reader))
        return reader
    }

    /// The frames `sampler` picks at the current geometry, by display index (each distinct frame once).
    /// Strict runs throw when a frame does not decode; with `run.damaged: keep` such frames are only
    /// absent (the reader records them). A resize or crop that does not fit the video fails it as the
    /// `resize` stage's error.
    public func decodeFrames(_ sampler: FrameSampler) throws -> [Int: Frame] {
        let reader = try reader()
        var found: [Int: Frame] = [:]
        try withGeometryErrors {
            try reader.forEachModelInputFrame(geometry.request(sampler), skippingUndecodable: keepsDamaged) { found[$0.index] = $0 }
        }
        return found
    }

    /// The keyframes at the current geometry, in display order, decoded with every non-key packet
    /// withheld (no P or B picture is decoded). Keyframes that do not decode are left out (with a
    /// warning from the reader). Their bytes count against `run.max_sample_mb` for `stage`: all at once
    /// before decoding when the reader has the frame index, else frame by frame as the one pass finds them.
    public func keyframes(reservingFor stage: String) throws -> [Frame] {
        let reader = try reader()
        let frameBytes = geometry.frameBytes(reader.headerInfo)
        if opensWithFrameIndex { try reserve(reader.info.keyframeIndices.count * frameBytes, for: stage) }
        var frames: [Frame] = []
        try withGeometryErrors {
            try reader.forEachModelInputFrame(geometry.request(.keyframes), skippingUndecodable: true) { frame in
                if !opensWithFrameIndex { try reserve(frameBytes, for: stage) }
                frames.append(frame)
            }
        }
        framesDecoded += frames.count
        return frames
    }

    /// Sizes that do not fit this video are the `resize` stage's fault, so the error names it.
    private func withGeometryErrors(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch MediaError.invalidArgument(let message) {
            throw PipelineError.stage(stage: "resize", message: message)
        }
    }

    /// The geometry set by the last `resize` stage before this point (original size otherwise).
    public var geometry: FrameGeometry {
        get { product(FrameGeometry.self) ?? FrameGeometry() }
        set { store(newValue) }
    }

    /// Every frame's motion vectors and picture type in display order, decoded once (no RGB conversion,
    /// P and B pictures not reconstructed) and shared by the motion stages.
    public func motionPass() throws -> [FrameMotion] {
        if let cached = product(MotionPass.self) { return cached.frames }
        let reader = try reader()
        var motion: [FrameMotion] = []
        motion.reserveCapacity(reader.info.frameCount)
        let (width, height) = (reader.info.width, reader.info.height)
        try reader.forEachFrame(nil, motion: true) { decoded in
            motion.append(decoded.motion ?? FrameMotion(index: decoded.index, timestamp: decoded.timestamp, pictureType: decoded.pictureType,
                                                         width: width, height: height, vectors: []))
        }
        framesDecoded += motion.count
        store(MotionPass(frames: motion))
        return motion
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
    /// Every clip's frames, concatenated, at the geometry (resize and crop) in force when they were decoded.
    public let frames: [Frame]
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
