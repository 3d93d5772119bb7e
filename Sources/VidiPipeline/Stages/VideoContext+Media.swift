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

    /// The geometry set by the last `resize` stage before this point (original size otherwise).
    public var geometry: FrameGeometry {
        get { shared["geometry"] as? FrameGeometry ?? FrameGeometry() }
        set { shared["geometry"] = newValue }
    }

    /// Every frame's motion vectors and picture type in display order, decoded once (no RGB conversion)
    /// and shared by the motion stages.
    public func motionPass() throws -> [FrameMotion] {
        if let cached = shared["motion"] as? [FrameMotion] { return cached }
        let reader = try reader()
        var frames: [FrameMotion] = []
        frames.reserveCapacity(reader.info.frameCount)
        try reader.forEachFrame(nil, motion: true) { decoded in
            if let motion = decoded.motion {
                frames.append(motion)
            } else {
                frames.append(FrameMotion(index: decoded.index, timestamp: decoded.timestamp, pictureType: decoded.pictureType,
                                          width: reader.info.width, height: reader.info.height, vectors: []))
            }
        }
        framesDecoded += frames.count
        shared["motion"] = frames
        return frames
    }
}
