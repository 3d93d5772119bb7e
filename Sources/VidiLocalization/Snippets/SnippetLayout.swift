/// Which frames each snippet feature of a video summarises.
///
/// Snippet `i` covers the `window` frames starting at frame `i · stride`: `[i·stride, i·stride + window)`,
/// so its centre is where `FeatureGrid` puts feature `i`. The snippets are every window that lies fully
/// inside the video, plus one **last partial window** when frames after the last full window would
/// otherwise be left out and its start is still inside the video (a video shorter than `window` has one
/// partial window). A partial window reads the frames that exist: an image backbone averages just those,
/// a video backbone (which needs `window` frames) gets the last frame repeated in place of the missing
/// ones, as clip-based extractors pad the end of a video. When `stride > window` the frames between
/// windows are skipped by design, and no partial window is added for them.
public struct SnippetLayout: Sendable, Equatable {
    public let frameCount: Int
    public let stride: Int
    public let window: Int
    /// T, the number of snippet features.
    public let count: Int

    public init(frameCount: Int, stride: Int, window: Int) throws(LocalizationError) {
        guard frameCount > 0 else { throw .invalidArgument("a video with no frames has no snippets") }
        guard stride > 0, window > 0 else { throw .invalidArgument("snippets need stride and window > 0 (got \(stride), \(window))") }
        self.frameCount = frameCount
        self.stride = stride
        self.window = window
        let full = frameCount >= window ? (frameCount - window) / stride + 1 : 0
        if full == 0 {
            count = 1
        } else {
            let coveredEnd = (full - 1) * stride + window
            count = coveredEnd < frameCount && full * stride < frameCount ? full + 1 : full
        }
    }

    /// The frames of snippet `i` that exist in the video.
    public func frames(ofSnippet i: Int) -> Range<Int> {
        let start = i * stride
        return start..<Swift.min(start + window, frameCount)
    }

    /// `window` frame indices of snippet `i`, the last frame repeated past the end of the video.
    public func clip(ofSnippet i: Int) -> [Int] {
        (0..<window).map { Swift.min(i * stride + $0, frameCount - 1) }
    }

    /// Whether snippet `i` runs past the last frame.
    public func isPartial(_ i: Int) -> Bool { i * stride + window > frameCount }

    /// The time grid of these snippets at `fps` frames per second.
    public func grid(fps: Double) throws(LocalizationError) -> FeatureGrid {
        try FeatureGrid(stride: Double(stride), window: Double(window), fps: fps)
    }
}
