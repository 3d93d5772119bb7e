/// A per-pixel label map: one byte per pixel, row-major, `0` background, `1...` object ids, `255` void in
/// DAVIS ground truth. What a DAVIS palette PNG holds (the palette indices), without the colours.
public struct LabelMask: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `height * width` labels, row-major.
    public var labels: [UInt8]

    /// A mask of `value` everywhere.
    public init(width: Int, height: Int, fill value: UInt8 = 0) {
        self.width = max(width, 0)
        self.height = max(height, 0)
        labels = [UInt8](repeating: value, count: self.width * self.height)
    }

    /// Wraps `labels`; their count must be `width * height`.
    public init(width: Int, height: Int, labels: [UInt8]) throws(SegmentationError) {
        guard width > 0, height > 0, labels.count == width * height else {
            throw SegmentationError(.invalidArgument,
                                    "a \(width)x\(height) mask needs \(max(width * height, 0)) labels, got \(labels.count)")
        }
        self.width = width
        self.height = height
        self.labels = labels
    }

    public subscript(y: Int, x: Int) -> UInt8 {
        get { labels[y * width + x] }
        set { labels[y * width + x] = newValue }
    }

    /// The largest label other than `excluding` (255, DAVIS's void, by default); 0 for an empty mask.
    public func maxLabel(excluding void: UInt8? = 255) -> Int {
        var best: UInt8 = 0
        for value in labels where value != void && value > best { best = value }
        return Int(best)
    }

    /// A binary mask (`true` where the label is `id`).
    public func binary(_ id: UInt8) -> [Bool] {
        labels.map { $0 == id }
    }
}
