/// How a `VideoReader` opens and decodes a file.
public struct ReaderOptions: Sendable {
    /// Decoder threads: 1 = single-threaded (the default: deterministic and best when files are decoded
    /// in parallel), 0 = FFmpeg's choice (one per core), n = n threads. Pixels never depend on it; with
    /// motion-vector export only slice threading is used, so vectors do not depend on it either; so too for
    /// keyframes, each decoded alone (frame threads could not overlap them).
    public var threads: Int
    /// Decode with `flags2 +export_mvs` from the start, so `forEachFrame(motion: true)` and
    /// `motionVectors()` need no second decoder. Either works without it (a decoder is made on demand).
    public var exportMotionVectors: Bool
    /// When set, long calls (and FFmpeg's blocking I/O) stop with `MediaError.timedOut` once it passes.
    public var deadline: ContinuousClock.Instant?
    /// True (the default): the open demuxes every packet once to build the frame index, and reports a
    /// stream without readable packets there. False: the open reads no packet; the index is built the
    /// first time something needs it (`info`'s frame count, keyframe indices and timestamps, random
    /// access, whole-video passes), and its errors come from the first throwing call. Keyframes one at a
    /// time (`keyframes()`, `forEachModelInputFrame` with `.keyframes`) need no index: they run in one
    /// pass over the packets, which is what a keyframes-only job wants (`vidi keyframes`).
    public var indexAtOpen: Bool

    public init(threads: Int = 1, exportMotionVectors: Bool = false, deadline: ContinuousClock.Instant? = nil,
                indexAtOpen: Bool = true) {
        self.threads = threads
        self.exportMotionVectors = exportMotionVectors
        self.deadline = deadline
        self.indexAtOpen = indexAtOpen
    }
}
