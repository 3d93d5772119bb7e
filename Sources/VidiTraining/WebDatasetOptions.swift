import Foundation
import VidiTensor

/// Where a reader is in its stream: the next sample to deliver is number `sample` (0-based, counting
/// samples that later failed to decode) of epoch `epoch`. Checkpoints store it; a reader started at a
/// position delivers exactly what an uninterrupted reader delivers from there.
public struct ReaderPosition: Sendable, Equatable, Codable, CustomStringConvertible {
    public var epoch: Int
    public var sample: Int

    public init(epoch: Int = 0, sample: Int = 0) {
        self.epoch = epoch
        self.sample = sample
    }

    public var description: String { "epoch \(epoch) sample \(sample)" }
}

/// How a `WebDatasetLoader` reads: which shards, in what order, in what batches.
public struct WebDatasetOptions: Sendable {
    /// Shard paths (expand patterns with `ShardPattern.expand`).
    public var shards: [String]
    public var batchSize: Int
    /// Samples held for shuffling; 0 or 1 reads in archive order. Larger buffers mix more shards.
    public var shuffleBuffer: Int = 0
    /// Bytes of raw samples the shuffle buffer may hold (0: no limit); whichever of the two limits is
    /// reached first fills it.
    public var shuffleBufferBytes: Int = 0
    /// Shuffle the shard order each epoch (a seeded permutation) before splitting it.
    public var shuffleShards: Bool = false
    /// Seeds the shard and sample shuffles; epoch `e` uses generators derived from (seed, e).
    public var seed: UInt64 = 0
    /// Passes over the data; nil repeats forever (step-based training).
    public var epochs: Int?
    /// This process's share of the shards (WebDataset's `split_by_node`, then `split_by_worker`).
    public var rank = 0
    public var worldSize = 1
    public var workerIndex = 0
    public var workerCount = 1
    /// Threads decoding members (npy, images) in the background; results keep their order.
    public var decodeThreads = 2
    /// Samples read ahead of the consumer (bounds memory).
    public var prefetch = 64
    /// Drop each epoch's last batch when it is short.
    public var dropLast = false
    /// Where to start (a checkpoint's position).
    public var start = ReaderPosition()

    public init(shards: [String], batchSize: Int) {
        self.shards = shards
        self.batchSize = batchSize
    }

    func validate() throws(TrainingError) {
        guard !shards.isEmpty else { throw .invalidOption("no shards given") }
        guard batchSize >= 1 else { throw .invalidOption("batch size \(batchSize) must be at least 1") }
        guard shuffleBuffer >= 0, shuffleBufferBytes >= 0, decodeThreads >= 1, prefetch >= 1 else {
            throw .invalidOption("shuffle buffer \(shuffleBuffer) samples / \(shuffleBufferBytes) bytes must be >= 0, decode threads \(decodeThreads) and prefetch \(prefetch) >= 1")
        }
        guard worldSize >= 1, (0..<worldSize).contains(rank), workerCount >= 1, (0..<workerCount).contains(workerIndex) else {
            throw .invalidOption("rank \(rank) of \(worldSize), worker \(workerIndex) of \(workerCount) is not a valid split")
        }
        guard epochs.map({ $0 >= 1 }) ?? true, start.epoch >= 0, start.sample >= 0 else {
            throw .invalidOption("epochs must be at least 1 and the start position non-negative")
        }
    }

    /// The shards this rank and worker read in `epoch`, in order.
    public func shards(forEpoch epoch: Int) -> [String] {
        var order = shards
        if shuffleShards {
            var generator = RandomGenerator(seed: Self.derivedSeed(seed, epoch: epoch, stream: 1))
            order = generator.permutation(order.count).map { order[$0] }
        }
        return ShardSplit.select(order, rank: rank, worldSize: worldSize, worker: workerIndex, workers: workerCount)
    }

    /// One seed per (seed, epoch, purpose), so each epoch's shuffles stand alone and a resumed reader
    /// needs no generator state.
    static func derivedSeed(_ seed: UInt64, epoch: Int, stream: UInt64) -> UInt64 {
        var generator = RandomGenerator(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        return generator.next() &+ UInt64(truncatingIfNeeded: epoch) &* 0x9E37_79B9_7F4A_7C15
    }
}

/// Splits a shard list among processes and loader workers as WebDataset does: `urls[rank::world]`, then
/// of those `[worker::workers]`. Together the parts hold every shard exactly once.
public enum ShardSplit {
    public static func select(_ shards: [String], rank: Int, worldSize: Int, worker: Int = 0, workers: Int = 1) -> [String] {
        let node = stride(from: rank, to: shards.count, by: max(1, worldSize)).map { shards[$0] }
        return stride(from: worker, to: node.count, by: max(1, workers)).map { node[$0] }
    }
}
