import VidiRandom

/// A training clip: `frames.count` RGB24 frames (width x height, multiples of 16) with their label masks,
/// and the object ids to learn (at most a few; other labels count as background).
public struct VOSClip: Sendable {
    public var frames: [[UInt8]]
    public var masks: [LabelMask]
    public var width: Int
    public var height: Int
    public var objectIDs: [UInt8]

    public init(frames: [[UInt8]], masks: [LabelMask], width: Int, height: Int, objectIDs: [UInt8]) {
        self.frames = frames
        self.masks = masks
        self.width = width
        self.height = height
        self.objectIDs = objectIDs
    }
}

/// Where training clips come from: clip `index` of a seeded stream, the same for the same (seed, index)
/// whatever was drawn before, so a resumed run reads exactly the clips an uninterrupted one would.
public protocol VOSClipSource: Sendable {
    func clip(at index: Int) throws -> VOSClip
}

/// The generator of clip `index` of the stream seeded `seed` (sampling and augmentation draw from it).
func clipGenerator(seed: UInt64, index: Int) -> RandomGenerator {
    RandomGenerator(seed: (seed &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03 &+ 0x5EED))
}

/// Clips cut from seeded synthetic sequences (`SyntheticVOSSequence`), rendered on demand: `length` frames
/// at a random stride 1...maxStride, objects = those visible in the first frame (at most `maxObjects`),
/// augmented by `VOSClipAugmentation`. The same seed and index give the same clip.
public struct SyntheticClipSampler: VOSClipSource {
    public var options: SyntheticVOSOptions
    public var length: Int
    public var maxStride: Int
    public var maxObjects: Int
    public var sequences: Int
    public let seed: UInt64

    public init(options: SyntheticVOSOptions, sequences: Int, length: Int = 3, maxStride: Int = 3, maxObjects: Int = 2,
                seed: UInt64) {
        self.options = options
        self.sequences = max(sequences, 1)
        self.length = length
        self.maxStride = maxStride
        self.maxObjects = maxObjects
        self.seed = seed
    }

    public func clip(at index: Int) throws -> VOSClip {
        guard length >= 2, length <= options.frames else {
            throw SegmentationError(.invalidArgument, "clips of \(length) frames cannot be cut from \(options.frames)-frame sequences (need 2...frames)")
        }
        var generator = clipGenerator(seed: seed, index: index)
        for _ in 0..<100 {
            let sequence = try SyntheticVOSSequence(options: options, seed: seed, index: generator.nextIndex(below: sequences))
            let stride = 1 + generator.nextIndex(below: maxStride)
            let span = (length - 1) * stride
            guard span < options.frames else { continue }
            let start = generator.nextIndex(below: options.frames - span)
            var frames: [[UInt8]] = [], masks: [LabelMask] = []
            for t in 0..<length {
                let rendered = sequence.render(frame: start + t * stride)
                frames.append(rendered.rgb)
                masks.append(rendered.mask)
            }
            let visible = Array(Set(masks[0].labels).subtracting([0])).sorted()
            guard !visible.isEmpty else { continue }
            var clip = VOSClip(frames: frames, masks: masks, width: options.width, height: options.height,
                               objectIDs: Array(visible.prefix(maxObjects)))
            VOSClipAugmentation().apply(to: &clip, generator: &generator)
            return clip
        }
        throw SegmentationError(.invalidArgument, "100 draws found no synthetic clip with a visible object")
    }
}
