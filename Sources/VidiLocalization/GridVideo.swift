import VidiTensor

/// One video resampled to the model's fixed grid (BMN rescales every video to T = 100 the same way).
///
/// Features `[T_v, C]` become `[C, T]` by coverage-weighted averaging: grid step `j` averages the original
/// snippets over `[j·r, (j + 1)·r)`, `r = T_v / T`, each weighted by how much of it the step covers (this
/// up-samples too when `T_v < T`). Ground truth in seconds goes to original positions through the
/// `FeatureGrid` and then to grid units by `/ r`; predictions come back the same way.
public struct GridVideo: Sendable {
    /// `[C, T]` channel-major.
    public var features: [Float]
    public var channels: Int
    public var length: Int
    /// Original positions per grid step.
    public var scale: Double
    /// Ground truth in grid units with class indices.
    public var truths: [(start: Double, end: Double, label: Int)]

    public init(features: Tensor, gridLength: Int) throws(LocalizationError) {
        guard features.rank == 2, features.shape[0] >= 1, features.shape[1] >= 1 else {
            throw .invalidArgument("features must be T × C (got shape \(features.shape))")
        }
        guard features.dtype == .float32 else { throw .invalidArgument("features must be float32 (got \(features.dtype))") }
        let source = features.contiguous().scalars
        let count = features.shape[0], channels = features.shape[1]
        let r = Double(count) / Double(gridLength)
        var out = [Float](repeating: 0, count: channels * gridLength)
        for j in 0..<gridLength {
            let lo = Double(j) * r, hi = Double(j + 1) * r
            var i = Int(lo.rounded(.down)), total = 0.0
            var acc = [Double](repeating: 0, count: channels)
            while i < count, Double(i) < hi {
                let w = Swift.min(hi, Double(i + 1)) - Swift.max(lo, Double(i))
                if w > 0 { for c in 0..<channels { acc[c] += w * Double(source[i * channels + c]) }; total += w }
                i += 1
            }
            for c in 0..<channels { out[c * gridLength + j] = total > 0 ? Float(acc[c] / total) : 0 }
        }
        self.features = out
        self.channels = channels
        self.length = gridLength
        self.scale = r
        self.truths = []
    }

    /// A video already on the grid (a packed training sample): `gridFeatures` is `[C, T]` channel-major.
    public init(gridFeatures: [Float], channels: Int, length: Int, scale: Double, truths: [(start: Double, end: Double, label: Int)]) {
        features = gridFeatures
        self.channels = channels
        self.length = length
        self.scale = scale
        self.truths = truths
    }

    /// Sets ground truth from segments in seconds; labels not in `classes` are an error.
    public mutating func setTruths(_ annotations: [LabeledSegment], classes: [String], grid: FeatureGrid) throws(LocalizationError) {
        truths = []
        for a in annotations {
            guard let k = classes.firstIndex(of: a.label) else { throw .invalidArgument("label '\(a.label)' is not one of the model's classes \(classes)") }
            let s = grid.position(a.start) / scale, e = grid.position(a.end) / scale
            if e > s { truths.append((s, e, k)) }
        }
    }

    /// A grid-unit segment in seconds.
    public func seconds(_ segment: (Double, Double), grid: FeatureGrid) -> (Double, Double) {
        (grid.seconds(segment.0 * scale), grid.seconds(segment.1 * scale))
    }

    /// Stacks videos into `[B, C, T]`.
    static func batch(_ videos: [GridVideo]) throws -> Tensor {
        guard let first = videos.first else { return Tensor.zeros([0]) }
        return try Tensor(videos.flatMap(\.features), shape: [videos.count, first.channels, first.length])
    }

    /// Highest tIoU of a segment with the ground truth and the index of that ground truth (−1 if none).
    func bestMatch(_ segment: (Double, Double)) -> (iou: Double, index: Int) {
        var best = (0.0, -1)
        for (g, t) in truths.enumerated() {
            let iou = temporalIoU(segment, (t.start, t.end))
            if iou > best.0 { best = (iou, g) }
        }
        return best
    }
}
