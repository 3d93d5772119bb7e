import Foundation
import VidiTensor
import VidiTraining

/// Training clips as the shared `Trainer` reads them: an endless stream (one epoch) whose sample `n` is
/// `source.clip(at: n)`, `batchSize` clips per batch. Starting at a checkpoint's position renders exactly
/// the clips an uninterrupted run would see next. Each clip travels as the members a packed clip shard
/// would hold: `frames.npy` (int32 T x H x W x 3), `masks.npy` (int32 T x H x W, label ids) and
/// `objects.npy` (int32 K, the ids to learn).
public final class VOSClipStream: BatchSource {
    public let source: any VOSClipSource
    public let batchSize: Int
    private var next: Int
    public private(set) var report = ReaderReport()

    public init(source: any VOSClipSource, batchSize: Int = 1, start: ReaderPosition = ReaderPosition()) {
        self.source = source
        self.batchSize = max(batchSize, 1)
        next = start.sample
    }

    public func nextBatch() throws -> Batch? {
        var keys: [String] = []
        var fields: [String: [SampleValue]] = [:]
        for _ in 0..<batchSize {
            let clip = try source.clip(at: next)
            keys.append(String(format: "clip-%08d", next))
            for (name, value) in try clip.members() { fields[name, default: []].append(.tensor(value)) }
            next += 1
        }
        report.samplesRead += batchSize
        return Batch(keys: keys, fields: fields.mapValues { .list($0) }, position: ReaderPosition(epoch: 0, sample: next), epoch: 0)
    }

    public func close() {}
}

extension VOSClip {
    /// The clip as sample members (`frames.npy`, `masks.npy`, `objects.npy`).
    public func members() throws -> [String: Tensor] {
        let t = frames.count
        return [
            "frames.npy": try Tensor(frames.flatMap { $0.map(Int32.init) }, shape: [t, height, width, 3]),
            "masks.npy": try Tensor(masks.flatMap { $0.labels.map(Int32.init) }, shape: [t, height, width]),
            "objects.npy": try Tensor(objectIDs.map(Int32.init), shape: [objectIDs.count]),
        ]
    }

    /// The clips of a batch of `members()` (or of decoded `.npy` members of a clip shard).
    public static func clips(in batch: Batch) throws -> [VOSClip] {
        let frames = batch.values("frames.npy"), masks = batch.values("masks.npy"), objects = batch.values("objects.npy")
        guard frames.count == batch.count, masks.count == batch.count, objects.count == batch.count else {
            throw SegmentationError(.invalidArgument, "a VOS training sample needs frames.npy, masks.npy and objects.npy")
        }
        return try batch.keys.indices.map { i in
            guard case .tensor(let f) = frames[i], case .tensor(let m) = masks[i], case .tensor(let o) = objects[i],
                  f.rank == 4, f.shape[3] == 3, m.shape == Array(f.shape.prefix(3)), o.rank == 1 else {
                throw SegmentationError(.invalidArgument, "\(batch.keys[i]): frames.npy must be T x H x W x 3, masks.npy T x H x W, objects.npy K")
            }
            let (t, h, w) = (f.shape[0], f.shape[1], f.shape[2])
            let pixels = try f.toArray(Int32.self), labels = try m.toArray(Int32.self), ids = try o.toArray(Int32.self)
            guard pixels.allSatisfy({ (0...255).contains($0) }), labels.allSatisfy({ (0...255).contains($0) }),
                  ids.allSatisfy({ (1...254).contains($0) }) else {
                throw SegmentationError(.invalidArgument, "\(batch.keys[i]): pixels and labels must be 0...255, object ids 1...254")
            }
            let frameList = (0..<t).map { pixels[($0 * h * w * 3)..<(($0 + 1) * h * w * 3)].map(UInt8.init) }
            let maskList = try (0..<t).map { try LabelMask(width: w, height: h, labels: labels[($0 * h * w)..<(($0 + 1) * h * w)].map(UInt8.init)) }
            return VOSClip(frames: frameList, masks: maskList, width: w, height: h, objectIDs: ids.map(UInt8.init))
        }
    }
}
