import Foundation
import VidiTensor

/// A seeded benchmark of untrimmed "videos" as feature sequences with planted action segments.
///
/// Each video has `T` snippets (uniform in `lengthRange`), one feature vector of `channels` floats per
/// second (`FeatureGrid.unit`). Action `k` adds its class prototype (a fixed random vector) to the snippets
/// it covers, weighted by how much of each snippet it covers, so an action shorter than one snippet is a
/// weaker blip at a fractional position. Durations are log-uniform in `durationRange` × T (1 %…80 % by
/// default); actions do not overlap. Distractors add non-class prototypes over random spans, every snippet
/// gets Gaussian noise, and a slow random drift shifts the background.
public struct SyntheticBenchmark: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var classes = 4
        public var channels = 16
        public var lengthRange = 96...384
        public var durationRange: ClosedRange<Double> = 0.01...0.8
        public var maxActions = 3
        public var noise: Float = 0.5
        public var distractors = 2
        public var seed: UInt64 = 7
        public init() {}
    }

    public struct Video: Sendable {
        public var id: String
        public var subset: String
        /// `[T, channels]`.
        public var features: Tensor
        /// Segments in seconds (= snippets).
        public var annotations: [LabeledSegment]
        public var length: Int { features.shape[0] }
    }

    public let configuration: Configuration
    /// `[classes + distractors, channels]` unit-norm patterns.
    let prototypes: [[Float]]

    public init(_ configuration: Configuration = Configuration()) throws(LocalizationError) {
        guard configuration.classes > 0, configuration.channels > 0, configuration.lengthRange.lowerBound >= 8,
              configuration.durationRange.lowerBound > 0, configuration.durationRange.upperBound <= 1, configuration.maxActions > 0 else {
            throw .invalidArgument("synthetic benchmark: need classes, channels > 0, videos of at least 8 snippets, durations in (0, 1]")
        }
        self.configuration = configuration
        var generator = RandomGenerator(seed: configuration.seed)
        prototypes = (0..<(configuration.classes + configuration.distractors)).map { _ in
            let v = (0..<configuration.channels).map { _ in generator.nextNormal() }
            let norm = Foundation.sqrt(v.reduce(0) { $0 + $1 * $1 })
            return v.map { 2 * $0 / norm }
        }
    }

    public static func className(_ k: Int) -> String { "action\(k)" }

    /// Videos `first..<first + count`; video `i` depends only on the seed and `i`, so splits are reproducible.
    public func videos(_ range: Range<Int>, subset: String) -> [Video] {
        range.map { video($0, subset: subset) }
    }

    public func video(_ index: Int, subset: String) -> Video {
        let c = configuration
        var g = RandomGenerator(seed: c.seed &* 1_000_003 &+ UInt64(index) &* 7919 &+ 1)
        let length = c.lengthRange.lowerBound + g.nextIndex(below: c.lengthRange.count)
        var x = [Float](repeating: 0, count: length * c.channels)
        // Background: drift (random walk, slow) plus white noise.
        var drift = [Float](repeating: 0, count: c.channels)
        for t in 0..<length {
            for ch in 0..<c.channels {
                drift[ch] = 0.98 * drift[ch] + 0.05 * g.nextNormal()
                x[t * c.channels + ch] = drift[ch] + c.noise * g.nextNormal()
            }
        }
        func paint(_ start: Double, _ end: Double, _ pattern: [Float], gain: Float) {
            let first = max(0, Int(start.rounded(.down))), last = min(length - 1, Int(end.rounded(.up)) - 1)
            guard first <= last else { return }
            for t in first...last {
                let cover = Float(max(0, min(end, Double(t + 1)) - max(start, Double(t))))
                for ch in 0..<c.channels { x[t * c.channels + ch] += gain * cover * pattern[ch] }
            }
        }
        var taken: [(Double, Double)] = []
        var annotations: [LabeledSegment] = []
        let actions = 1 + g.nextIndex(below: c.maxActions)
        let (lo, hi) = (Foundation.log(c.durationRange.lowerBound), Foundation.log(c.durationRange.upperBound))
        for _ in 0..<actions {
            for _ in 0..<20 {   // a few tries to place without overlap
                let duration = Foundation.exp(lo + (hi - lo) * Double(g.nextUniform())) * Double(length)
                let start = Double(g.nextUniform()) * (Double(length) - duration)
                let end = start + duration
                if taken.contains(where: { start < $0.1 + 1 && end > $0.0 - 1 }) { continue }
                taken.append((start, end))
                let k = g.nextIndex(below: c.classes)
                paint(start, end, prototypes[k], gain: 1)
                annotations.append(LabeledSegment(start: start, end: end, label: Self.className(k)))
                break
            }
        }
        for _ in 0..<c.distractors where c.distractors > 0 {
            let d = c.classes + g.nextIndex(below: c.distractors)
            let duration = Double(g.nextUniform()) * 0.3 * Double(length) + 1
            let start = Double(g.nextUniform()) * (Double(length) - duration)
            paint(start, start + duration, prototypes[d], gain: 0.8)
        }
        annotations.sort { $0.start < $1.start }
        let features = (try? Tensor(x, shape: [length, c.channels])) ?? Tensor.zeros([length, c.channels])
        return Video(id: String(format: "%@_%05d", subset, index), subset: subset, features: features, annotations: annotations)
    }

    /// Writes `features/<id>.npy` (T × C float32) for each video and one ActivityNet-style `annotations.json`.
    public static func write(_ videos: [Video], to folder: String) throws(LocalizationError) {
        let featureFolder = folder + "/features"
        do { try FileManager.default.createDirectory(atPath: featureFolder, withIntermediateDirectories: true) }
        catch { throw .io(path: featureFolder, reason: "cannot create: \(error.localizedDescription)") }
        for video in videos {
            let path = "\(featureFolder)/\(video.id).npy"
            do { try video.features.writeNPY(to: path) } catch { throw .io(path: path, reason: "\(error)") }
        }
        let truth = GroundTruthFile(videos: videos.map {
            .init(id: $0.id, subset: $0.subset, duration: Double($0.length), fps: 1, annotations: $0.annotations)
        })
        try truth.write(to: folder + "/annotations.json")
    }
}
