import VidiTensor

extension Localizer {
    /// Localizes a long video in overlapping windows of `window` snippets (stride `window / 2`, the last one
    /// aligned to the end), so actions keep their resolution instead of being squeezed onto the model's grid
    /// with the whole video (G-TAD's THUMOS setting: windows of 256, stride 128). Each window's segments are
    /// shifted to the video's time line by its offset (`FeatureGrid`), then merged: per class, the same
    /// Soft-NMS as inside a window, and the best `keep` overall. A video no longer than `window` is one window.
    public func localize(features: Tensor, window: Int, grid: FeatureGrid = .unit, duration: Double? = nil) throws -> [ScoredSegment] {
        guard window >= 8 else { throw LocalizationError.invalidArgument("sliding window of \(window) snippets: use at least 8") }
        guard features.rank == 2 else { throw LocalizationError.invalidArgument("features must be T × C (got \(features.shape))") }
        let length = features.shape[0]
        let total = duration ?? grid.seconds(Double(length))
        guard length > window else { return try localize(features: features, grid: grid, duration: total) }
        var starts = Array(Swift.stride(from: 0, to: length - window, by: Swift.max(1, window / 2)))
        starts.append(length - window)
        let windows = try starts.map { try features.narrowed(axis: 0, start: $0, length: window).contiguous() }
        let perWindow = try localize(batch: windows, grid: grid, durations: starts.map { _ in nil })
        var merged: [String: [ScoredSegment]] = [:]
        for (start, segments) in zip(starts, perWindow) {
            // Window-local seconds → video seconds: shift by the window's offset on the time line.
            let shift = grid.seconds(Double(start)) - grid.seconds(0)
            for s in segments {
                merged[s.label, default: []].append(ScoredSegment(start: Swift.min(s.start + shift, total), end: Swift.min(s.end + shift, total),
                                                                  label: s.label, score: s.score))
            }
        }
        let window = grid.seconds(Double(window)) - grid.seconds(0)
        let kept = merged.keys.sorted().flatMap { suppression.apply(merged[$0] ?? [], keep: keep, normalizer: window) }
        return Array(kept.sorted { $0.score > $1.score }.prefix(keep))
    }
}
