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

/// Clips cut from seeded synthetic sequences (`SyntheticVOSSequence`), rendered on demand: `length` frames
/// at a random stride 1...maxStride, objects = those visible in the first frame (at most `maxObjects`),
/// mirrored left-right with probability 1/2. The same seed gives the same clips.
public struct SyntheticClipSampler {
    public var options: SyntheticVOSOptions
    public var length: Int
    public var maxStride: Int
    public var maxObjects: Int
    public var sequences: Int
    private var generator: RandomGenerator
    private let seed: UInt64

    public init(options: SyntheticVOSOptions, sequences: Int, length: Int = 3, maxStride: Int = 3, maxObjects: Int = 2,
                seed: UInt64) {
        self.options = options
        self.sequences = max(sequences, 1)
        self.length = length
        self.maxStride = maxStride
        self.maxObjects = maxObjects
        self.seed = seed
        generator = RandomGenerator(seed: seed)
    }

    public mutating func next() throws -> VOSClip {
        while true {
            let index = generator.nextIndex(below: sequences)
            let sequence = try SyntheticVOSSequence(options: options, seed: seed, index: index)
            let stride = 1 + generator.nextIndex(below: maxStride)
            let span = (length - 1) * stride
            guard span < options.frames else { continue }
            let start = generator.nextIndex(below: options.frames - span)
            let mirror = generator.nextIndex(below: 2) == 1
            var frames: [[UInt8]] = [], masks: [LabelMask] = []
            for t in 0..<length {
                var rendered = sequence.render(frame: start + t * stride)
                if mirror { Self.mirror(&rendered.rgb, &rendered.mask) }
                frames.append(rendered.rgb)
                masks.append(rendered.mask)
            }
            let visible = Array(Set(masks[0].labels).subtracting([0])).sorted()
            guard !visible.isEmpty else { continue }
            return VOSClip(frames: frames, masks: masks, width: options.width, height: options.height,
                           objectIDs: Array(visible.prefix(maxObjects)))
        }
    }

    static func mirror(_ rgb: inout [UInt8], _ mask: inout LabelMask) {
        let (w, h) = (mask.width, mask.height)
        for y in 0..<h {
            for x in 0..<(w / 2) {
                let a = y * w + x, b = y * w + (w - 1 - x)
                mask.labels.swapAt(a, b)
                for c in 0..<3 { rgb.swapAt(a * 3 + c, b * 3 + c) }
            }
        }
    }
}
