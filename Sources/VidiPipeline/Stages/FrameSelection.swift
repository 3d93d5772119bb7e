import VidiMedia

/// Which frames a `frames` stage decodes, as lists of display-order indices (one list, or one per clip
/// for `randomClips`). Random choices use a SplitMix64 stream seeded from the spec's seed and the video's
/// manifest position, so every video gets its own draw and reruns give the same bytes.
public enum FrameSelection: Sendable, Equatable {
    /// `count` frames evenly spaced: the centre of each of `count` equal spans.
    case uniform(count: Int)
    /// Every `step`-th frame from frame 0.
    case every(step: Int)
    /// The frames displayed at `fps` evenly spaced instants from the first timestamp.
    case fps(Double)
    /// TSN-style: one random frame inside each of `count` equal segments.
    case segments(count: Int, seed: UInt64)
    /// `count` clips of `length` frames, `stride` apart, at random starts.
    case randomClips(count: Int, length: Int, stride: Int, seed: UInt64)

    public func indices(for info: VideoInfo, videoIndex: Int) throws -> [[Int]] {
        let n = info.frameCount
        guard n > 0 else { throw PipelineError.stage(stage: "frames", message: "video has no frames") }
        switch self {
        case .uniform(let count):
            return [(0..<count).map { min(n - 1, Int((Double($0) + 0.5) * Double(n) / Double(count))) }]
        case .every(let step):
            return [Array(Swift.stride(from: 0, to: n, by: step))]
        case .fps(let rate):
            let start = info.frameTimestamps.first ?? 0
            var out: [Int] = []
            var k = 0
            while true {
                let t = start + Double(k) / rate
                guard t < info.endTime, let index = info.frameIndex(displayedAt: t) else { break }
                out.append(index)
                k += 1
            }
            return [out]
        case .segments(let count, let seed):
            var random = SplitMix64(seed: seed, stream: videoIndex)
            return [(0..<count).map { s in
                let lo = s * n / count
                let hi = max(lo + 1, (s + 1) * n / count)
                return min(n - 1, lo + Int(random.next() % UInt64(hi - lo)))
            }]
        case .randomClips(let count, let length, let stride, let seed):
            let span = (length - 1) * stride + 1
            guard span <= n else {
                throw PipelineError.stage(stage: "frames", message: "a clip spans \(span) frames but the video has \(n)")
            }
            var random = SplitMix64(seed: seed, stream: videoIndex)
            return (0..<count).map { _ in
                let start = Int(random.next() % UInt64(n - span + 1))
                return (0..<length).map { start + $0 * stride }
            }
        }
    }
}

/// SplitMix64 (Steele et al.): tiny, fast, and the same on every platform.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64, stream: Int) {
        state = seed ^ (UInt64(truncatingIfNeeded: stream) &* 0x9E37_79B9_7F4A_7C15)
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
