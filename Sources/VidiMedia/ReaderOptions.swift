/// How a `VideoReader` opens and decodes a file.
public struct ReaderOptions: Sendable {
    /// Decoder threads: 1 = single-threaded (the default: deterministic and best when files are decoded
    /// in parallel), 0 = FFmpeg's choice (one per core), n = n threads. Pixels never depend on it; with
    /// motion-vector export only slice threading is used, so vectors do not depend on it either.
    public var threads: Int
    /// Decode with `flags2 +export_mvs` from the start, so `forEachFrame(motion: true)` and
    /// `motionVectors()` need no second decoder. Either works without it (a decoder is made on demand).
    public var exportMotionVectors: Bool
    /// When set, long calls (and FFmpeg's blocking I/O) stop with `MediaError.timedOut` once it passes.
    public var deadline: ContinuousClock.Instant?

    public init(threads: Int = 1, exportMotionVectors: Bool = false, deadline: ContinuousClock.Instant? = nil) {
        self.threads = threads
        self.exportMotionVectors = exportMotionVectors
        self.deadline = deadline
    }
}
