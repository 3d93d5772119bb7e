import Foundation
import VidiRandom

/// Seeded synthetic frame and token features for benchmarks at collection scale: videos belong to topics
/// (shared directions) and have their own content; frames and query tokens are noisy views of them; query
/// `q` is written about video `target(q)`. Deterministic in the seed.
public struct SyntheticFeatures: Sendable {
    public let videos: Int, frames: Int, dimension: Int, seed: UInt64
    public let topics: Int

    public init(videos: Int, frames: Int = 12, dimension: Int = 512, seed: UInt64 = 1) {
        self.videos = videos; self.frames = frames; self.dimension = dimension; self.seed = seed
        topics = max(1, videos / 100)
    }

    func unitVector(_ generator: inout RandomGenerator) -> [Float] {
        var v = (0..<dimension).map { _ in generator.nextNormal() }
        let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for k in v.indices { v[k] /= n }
        return v
    }

    func direction(topic: Int) -> [Float] {
        var g = RandomGenerator(seed: seed &* 31 &+ 0x70_0000_0000 &+ UInt64(topic))
        return unitVector(&g)
    }

    func content(video: Int) -> (topic: Int, own: [Float]) {
        var g = RandomGenerator(seed: seed &* 31 &+ UInt64(video))
        let topic = g.nextIndex(below: topics)
        return (topic, unitVector(&g))
    }

    static func normalized(_ v: [Float]) -> [Float] {
        let n = max(v.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
        return v.map { $0 / n }
    }

    static func softmax(_ x: [Float]) -> [Float] {
        let m = x.max() ?? 0
        let e = x.map { Foundation.exp($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    /// Video `v`: `frames` normalised frames and WTI-like weights (softmax of seeded logits).
    public func video(_ v: Int) throws -> IndexedVideo {
        let (topic, own) = content(video: v)
        let t = direction(topic: topic)
        var g = RandomGenerator(seed: seed &* 131 &+ 0x5000_0000 &+ UInt64(v))
        var features: [Float] = []
        features.reserveCapacity(frames * dimension)
        for _ in 0..<frames {
            features += SyntheticFeatures.normalized((0..<dimension).map { k in t[k] + 0.8 * own[k] + 0.9 * g.nextNormal() / Float(dimension).squareRoot() * 3 })
        }
        let weights = SyntheticFeatures.softmax((0..<frames).map { _ in g.nextNormal() })
        return try IndexedVideo(id: "synthetic\(v)", features: features, weights: weights)
    }

    /// Query `q`: 6–16 tokens, half noisy views of its target video's content, half unrelated.
    public func query(_ q: Int) throws -> (query: ScoringQuery, target: Int) {
        var g = RandomGenerator(seed: seed &* 7919 &+ 0x9000_0000 &+ UInt64(q))
        let target = g.nextIndex(below: videos)
        let (topic, own) = content(video: target)
        let t = direction(topic: topic)
        let n = 6 + g.nextIndex(below: 11)
        var tokens: [Float] = [], logits: [Float] = []
        for i in 0..<n {
            if i % 2 == 0 {
                tokens += SyntheticFeatures.normalized((0..<dimension).map { k in t[k] + 0.8 * own[k] + g.nextNormal() / Float(dimension).squareRoot() * 3 })
                logits.append(1 + g.nextNormal())
            } else {
                tokens += unitVector(&g)
                logits.append(g.nextNormal() - 1)
            }
        }
        return (try ScoringQuery(tokens: tokens, weights: SyntheticFeatures.softmax(logits), padded: n < 32), target)
    }
}
