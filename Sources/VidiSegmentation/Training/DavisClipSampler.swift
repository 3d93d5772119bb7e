import Foundation
import VidiMedia
import VidiRandom

/// Clips from a DAVIS / YouTube-VOS-layout folder: `Annotations/480p/<seq>/*.png` with the frames either in
/// `videos/<seq>.mp4` (what `vidi synth vos` writes; frame i = annotation i) or in
/// `JPEGImages/480p/<seq>/<id>.jpg`. Frames are resized to `width x height` (bicubic, as ffmpeg scales),
/// masks by nearest neighbour; objects are those visible in the clip's first frame (void 255 is
/// background); augmented by `VOSClipAugmentation`. Clip `index` depends only on (seed, index).
public struct DavisClipSampler: VOSClipSource {
    public let dataset: DavisDataset
    public let width: Int
    public let height: Int
    public var length: Int
    public var maxStride: Int
    public var maxObjects: Int
    public let seed: UInt64
    private let sequences: [(name: String, ids: [String])]

    public init(dataset: DavisDataset, width: Int, height: Int, length: Int = 3, maxStride: Int = 3, maxObjects: Int = 2,
                seed: UInt64) throws(SegmentationError) {
        self.dataset = dataset
        self.width = width
        self.height = height
        self.length = length
        self.maxStride = maxStride
        self.maxObjects = maxObjects
        var found: [(String, [String])] = []
        for name in try dataset.sequences() {
            let ids = try dataset.frameIDs(of: name)
            if ids.count >= length { found.append((name, ids)) }
        }
        guard !found.isEmpty else {
            throw SegmentationError(.badLayout, "\(dataset.root): no sequence of set '\(dataset.set)' has \(length) annotated frames")
        }
        sequences = found
        self.seed = seed
    }

    public func clip(at index: Int) throws -> VOSClip {
        var generator = clipGenerator(seed: seed, index: index)
        for _ in 0..<100 {
            let (name, ids) = sequences[generator.nextIndex(below: sequences.count)]
            let stride = 1 + generator.nextIndex(below: maxStride)
            let span = (length - 1) * stride
            guard span < ids.count else { continue }
            let start = generator.nextIndex(below: ids.count - span)
            let picked = (0..<length).map { start + $0 * stride }
            let output = FrameOutput(size: .exact(width: width, height: height))
            let video = "\(dataset.root)/videos/\(name).mp4"
            let frames: [[UInt8]]
            if FileManager.default.fileExists(atPath: video) {
                frames = try VideoReader(path: video).frames(at: picked, output).map { $0.rgb ?? [] }
            } else {
                frames = try picked.map { index in
                    try VideoReader(path: "\(dataset.root)/JPEGImages/\(dataset.resolution)/\(name)/\(ids[index]).jpg")
                        .frame(at: 0, output).rgb ?? []
                }
            }
            let masks = try picked.map { try Self.resized(dataset.annotation(name, ids[$0]), width: width, height: height) }
            let visible = Array(Set(masks[0].labels).subtracting([0, 255])).sorted()
            guard !visible.isEmpty, frames.allSatisfy({ $0.count == width * height * 3 }) else { continue }
            var clip = VOSClip(frames: frames, masks: masks, width: width, height: height, objectIDs: Array(visible.prefix(maxObjects)))
            VOSClipAugmentation().apply(to: &clip, generator: &generator)
            return clip
        }
        throw SegmentationError(.badLayout, "\(dataset.root): 100 draws found no clip with a visible object")
    }

    /// Nearest-neighbour resize (pixel centres), as PIL's NEAREST does.
    static func resized(_ mask: LabelMask, width: Int, height: Int) -> LabelMask {
        var out = LabelMask(width: width, height: height)
        for y in 0..<height {
            let sy = min(Int((Double(y) + 0.5) * Double(mask.height) / Double(height)), mask.height - 1)
            for x in 0..<width {
                let sx = min(Int((Double(x) + 0.5) * Double(mask.width) / Double(width)), mask.width - 1)
                out.labels[y * width + x] = mask.labels[sy * mask.width + sx]
            }
        }
        return out
    }
}
