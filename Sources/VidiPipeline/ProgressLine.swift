/// Text of the progress display: a bar for terminals, a plain line for logs.
public enum ProgressLine {
    /// `[#####.....]  120/500 videos  3,412 frames/s  ETA 1m52s  2 failed`
    public static func bar(_ p: RunProgress, width: Int = 24) -> String {
        let fraction = p.videosTotal > 0 ? Double(p.videosDone) / Double(p.videosTotal) : 1
        let filled = min(width, Int(fraction * Double(width)))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        return "[\(bar)] \(counts(p))"
    }

    /// One self-contained line for non-terminal output.
    public static func plain(_ p: RunProgress) -> String {
        let percent = p.videosTotal > 0 ? 100 * p.videosDone / p.videosTotal : 100
        return "progress: \(percent)% \(counts(p)), shards \(p.shardsDone)/\(p.shardsTotal)"
    }

    static func counts(_ p: RunProgress) -> String {
        var text = "\(p.videosDone)/\(p.videosTotal) videos"
        if p.elapsed > 0 {
            text += String(format: "  %.1f videos/s  %.0f frames/s", Double(p.videosDone) / p.elapsed, Double(p.frames) / p.elapsed)
        }
        if p.videosDone > 0, p.videosDone < p.videosTotal {
            text += "  ETA " + duration(p.elapsed / Double(p.videosDone) * Double(p.videosTotal - p.videosDone))
        }
        if p.failed > 0 { text += "  \(p.failed) failed" }
        return text
    }

    /// `1h02m`, `3m05s`, `42s`.
    public static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total >= 3600 { return String(format: "%dh%02dm", total / 3600, total % 3600 / 60) }
        if total >= 60 { return String(format: "%dm%02ds", total / 60, total % 60) }
        return "\(total)s"
    }
}
