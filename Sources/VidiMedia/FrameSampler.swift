import VidiRandom

/// Which frames to take from a video, as display-order indices. Every choice is a pure function of the
/// video's `VideoInfo` and the sampler (random ones of their seed, via `RandomGenerator`).
public enum FrameSampler: Sendable, Codable, Equatable {
    /// `count` frames spread evenly: the centre frame of each of `count` equal segments,
    /// index k = floor((2k + 1) * frameCount / (2 * count)). Repeats frames when count > frameCount.
    case uniform(count: Int)
    /// Frames 0, step, 2 step, ...
    case every(step: Int)
    /// The frames displayed at times first + k / fps (k = 0, 1, ...) before `endTime`: correct for
    /// variable frame rate, may repeat or skip frames where the video's rate differs.
    case fps(Double)
    /// TSN-style: `count` equal segments, one frame at a seeded random offset in each.
    case segments(count: Int, seed: UInt64)
    /// `count` clips of `length` frames `stride` apart, each starting at a seeded random frame such that
    /// the clip fits in the video.
    case randomClips(count: Int, length: Int, stride: Int, seed: UInt64)
    /// These clips of display indices, as given (each index must lie in the video).
    case clips([[Int]])
    /// Every keyframe (`VideoInfo.keyframeIndices`), one clip. `VideoReader.modelInput` decodes these
    /// with non-key packets withheld from the decoder, so no P or B picture is decoded.
    case keyframes

    /// The sampled indices as clips: one clip for every sampler except `randomClips`, which gives `count`.
    public func clips(for info: VideoInfo) throws -> [[Int]] {
        let n = info.frameCount
        guard n > 0 else { throw MediaError.outOfRange(path: info.path, what: "sampling from a video with no frames") }
        switch self {
        case .uniform(let count):
            guard count > 0, count <= Self.maximumCount else {
                throw MediaError.invalidArgument("uniform sampling needs count in 1...\(Self.maximumCount), got \(count)")
            }
            return [(0..<count).map { k in (2 * k + 1) * n / (2 * count) }]
        case .every(let step):
            guard step > 0 else { throw MediaError.invalidArgument("every-N sampling needs step > 0, got \(step)") }
            return [Array(Swift.stride(from: 0, to: n, by: step))]
        case .fps(let rate):
            guard rate > 0, rate.isFinite else { throw MediaError.invalidArgument("fps sampling needs a positive rate, got \(rate)") }
            let samples = ((info.endTime - (info.frameTimestamps.first ?? 0)) * rate).rounded(.up)
            guard samples <= Double(Self.maximumCount) else {
                throw MediaError.invalidArgument("fps \(rate) would take \(samples) samples (limit \(Self.maximumCount))")
            }
            return [Self.indices(atRate: rate, info: info)]
        case .segments(let count, let seed):
            guard count > 0, count <= Self.maximumCount else {
                throw MediaError.invalidArgument("segment sampling needs count in 1...\(Self.maximumCount), got \(count)")
            }
            var generator = RandomGenerator(seed: seed)
            return [(0..<count).map { k in
                let start = k * n / count, end = (k + 1) * n / count
                return end > start ? start + generator.nextIndex(below: end - start) : min(start, n - 1)
            }]
        case .randomClips(let count, let length, let stride, let seed):
            guard count > 0, length > 0, stride > 0, count <= Self.maximumCount, length <= Self.maximumCount else {
                throw MediaError.invalidArgument("random clips need count and length in 1...\(Self.maximumCount) and stride > 0, got \(count), \(length), \(stride)")
            }
            let (product, overflow) = (length - 1).multipliedReportingOverflow(by: stride)
            let span = overflow ? Int.max : product + 1
            guard span <= n else {
                throw MediaError.outOfRange(path: info.path, what: "clip of \(length) frames at stride \(stride) (spans \(span) frames, video has \(n))")
            }
            var generator = RandomGenerator(seed: seed)
            return (0..<count).map { _ in
                let start = generator.nextIndex(below: n - span + 1)
                return (0..<length).map { start + $0 * stride }
            }
        case .clips(let clips):
            guard !clips.isEmpty, clips.count <= Self.maximumCount, clips.allSatisfy({ !$0.isEmpty && $0.count <= Self.maximumCount }) else {
                throw MediaError.invalidArgument("explicit clips need 1...\(Self.maximumCount) non-empty clips, got \(clips.count)")
            }
            if let bad = clips.joined().first(where: { $0 < 0 || $0 >= n }) {
                throw MediaError.outOfRange(path: info.path, what: "frame index \(bad) (video has \(n) frames)")
            }
            return clips
        case .keyframes:
            guard !info.keyframeIndices.isEmpty else {
                throw MediaError.corrupt(path: info.path, reason: "the packet index holds no keyframe")
            }
            return [info.keyframeIndices]
        }
    }

    /// Largest number of samples (or clip length) one sampler may ask for.
    public static let maximumCount = 10_000_000

    /// All sampled indices, clips concatenated.
    public func indices(for info: VideoInfo) throws -> [Int] {
        try clips(for: info).flatMap { $0 }
    }

    private static func indices(atRate rate: Double, info: VideoInfo) -> [Int] {
        guard let first = info.frameTimestamps.first else { return [] }
        var result: [Int] = []
        var k = 0
        while true {
            let t = first + Double(k) / rate  // from k, not by repeated addition: no drift
            guard t < info.endTime else { break }
            // A nanosecond of slack so a sample time equal to a frame timestamp is not lost to rounding.
            if let i = info.frameIndex(displayedAt: min(t + 1e-9, info.endTime.nextDown)) { result.append(i) }
            k += 1
        }
        return result
    }
}
