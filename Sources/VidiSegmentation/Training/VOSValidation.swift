import VidiTensor

/// The validation of a VOS training run: held-out synthetic sequences (a seed the training clips never
/// use) segmented by the network being trained, exactly as `vidi segment` runs it (`Segmenter`, given the
/// first frame's mask), and scored by the DAVIS 2017 evaluation's rules (`DavisSequenceScore`: first and
/// last frames excluded). Reports `J&F-Mean`, `J-Mean` and `F-Mean` over all objects.
public struct VOSValidation: Sendable {
    public var options: SyntheticVOSOptions
    public var sequences: Int
    public var seed: UInt64
    public var segmenter: SegmenterOptions

    public init(options: SyntheticVOSOptions, sequences: Int, seed: UInt64, segmenter: SegmenterOptions) {
        self.options = options
        self.sequences = sequences
        self.seed = seed
        self.segmenter = segmenter
    }

    /// Scores `network` (left in evaluation mode; the caller restores training mode if it needs it).
    public func evaluate(_ network: STCN) throws -> [String: Double] {
        guard options.frames >= 3, sequences >= 1 else {
            throw SegmentationError(.invalidArgument, "validation needs >= 1 sequence of >= 3 frames (the first and last are not scored)")
        }
        network.eval()
        var objects: [DavisObjectResult] = []
        for index in 0..<sequences {
            let sequence = try SyntheticVOSSequence(options: options, seed: seed, index: index)
            let segmenter = try Segmenter(network: network, options: segmenter)
            let first = sequence.render(frame: 0)
            var score = DavisSequenceScore(sequence: "val-\(index)", firstAnnotation: first.mask)
            _ = try segmenter.step(rgb: first.rgb, width: options.width, height: options.height, mask: first.mask)
            for t in 1..<(options.frames - 1) {
                let frame = sequence.render(frame: t)
                let result = try segmenter.step(rgb: frame.rgb, width: options.width, height: options.height, isLast: t == options.frames - 2)
                try score.add(truth: frame.mask, result: result.labels)
            }
            objects += try score.objects()
        }
        let global = Dictionary(uniqueKeysWithValues: DavisReport(objects: objects).global.map { ($0.name, $0.value) })
        return ["J&F-Mean": global["J&F-Mean"] ?? .nan, "J-Mean": global["J-Mean"] ?? .nan, "F-Mean": global["F-Mean"] ?? .nan]
    }
}
