import Foundation
import Testing
import VidiMedia
import VidiTensor
import VidiTestSupport
@testable import VidiTraining

@Suite struct WebDatasetLoaderTests {
    static func options(_ shards: [String], batch: Int = 4) -> WebDatasetOptions {
        var options = WebDatasetOptions(shards: shards, batchSize: batch)
        options.epochs = 1
        return options
    }

    /// Reference: the keys the pipeline's writer wrote, in shard order (no shuffle: archive order).
    @Test func readsPipelineShardsInOrderAndCollates() throws {
        let shards = try ShardFixtures.write(in: try Fixtures.temporaryDirectory("loader"), shards: 3, perShard: 5)
        let loader = try WebDatasetLoader(Self.options(shards))
        var keys: [String] = []
        var sizes: [Int] = []
        while let batch = try loader.nextBatch() {
            keys += batch.keys
            sizes.append(batch.count)
            #expect(try batch.tensor("input.npy").shape == [batch.count, 4])
            let labels = try batch.tensor("cls")
            #expect(labels.dtype == .int64 && labels.shape == [batch.count])
            #expect(batch.values("json").count == batch.count)
        }
        #expect(keys == (0..<3).flatMap { s in (0..<5).map { "s\(s)_\(String(format: "%03d", $0))" } })
        #expect(sizes == [4, 4, 4, 3])
        #expect(loader.report.shardsRead == 3 && loader.report.isClean)
    }

    /// Invariant: the same seed gives the same order whatever the decode thread count; another seed
    /// another order; every sample appears exactly once per epoch.
    @Test func shuffleIsDeterministicForASeed() throws {
        let shards = try ShardFixtures.write(in: try Fixtures.temporaryDirectory("shuffle"), shards: 4, perShard: 10)
        func order(seed: UInt64, threads: Int) throws -> [String] {
            var options = Self.options(shards, batch: 3)
            options.shuffleBuffer = 8
            options.shuffleShards = true
            options.seed = seed
            options.decodeThreads = threads
            options.prefetch = 5
            return try ShardFixtures.keys(try WebDatasetLoader(options))
        }
        let first = try order(seed: 7, threads: 1)
        #expect(try order(seed: 7, threads: 3) == first)
        #expect(try order(seed: 8, threads: 2) != first)
        #expect(Set(first).count == 40 && first.count == 40)
        #expect(first != first.sorted(), "a shuffle buffer of 8 must reorder 40 samples")
    }

    /// Invariant: ranks x workers partition the shards, so each sample is read exactly once overall.
    @Test func splitsCoverEverySampleExactlyOnce() throws {
        let shards = try ShardFixtures.write(in: try Fixtures.temporaryDirectory("split"), shards: 7, perShard: 3)
        var seen: [String] = []
        for rank in 0..<2 {
            for worker in 0..<2 {
                var options = Self.options(shards)
                options.rank = rank
                options.worldSize = 2
                options.workerIndex = worker
                options.workerCount = 2
                options.shuffleShards = true
                options.seed = 3
                seen += try ShardFixtures.keys(try WebDatasetLoader(options))
            }
        }
        #expect(seen.count == 21 && Set(seen).count == 21)
        // Python: urls[rank::2][worker::2] of 0..6 -> rank 0: [0, 2, 4, 6] -> worker 1: [2, 6].
        #expect(ShardSplit.select((0..<7).map(String.init), rank: 0, worldSize: 2, worker: 1, workers: 2) == ["2", "6"])
    }

    /// Invariant: a loader started at the position stored after batch k delivers exactly the batches an
    /// uninterrupted loader delivers after k (shuffled, over an epoch boundary).
    @Test func startingAtAPositionContinuesTheSameStream() throws {
        let shards = try ShardFixtures.write(in: try Fixtures.temporaryDirectory("position"), shards: 3, perShard: 7)
        var options = Self.options(shards, batch: 4)
        options.epochs = 3
        options.shuffleBuffer = 5
        options.shuffleShards = true
        options.seed = 11
        let whole = try WebDatasetLoader(options)
        var batches: [Batch] = []
        while let batch = try whole.nextBatch() { batches.append(batch) }
        #expect(batches.map(\.count).reduce(0, +) == 63)
        #expect(Set(batches.map(\.epoch)) == [0, 1, 2])
        for k in [0, 4, 6, 10] {
            options.start = batches[k].position
            let resumed = try ShardFixtures.keys(try WebDatasetLoader(options))
            #expect(resumed == batches[(k + 1)...].flatMap(\.keys), "resumed after batch \(k)")
        }
    }

    /// Reference: webdataset 1.0 with `handler=warn_and_continue` over the same shards (expected.json). Both
    /// keep the samples before the damage. webdataset also yields the sample being gathered when the damage
    /// hit, whatever members it had (truncated.tar: a partial s0_002; corrupt.tar: s0_000, the shard's first
    /// sample); Vidi keeps that one only when its members match the sample before it, so here it drops both.
    @Test func damagedAndMissingShardsAreSkippedAndReported() throws {
        let expected = try ShardFixtures.expected()["shards"] as? [String: [[String: Any]]] ?? [:]
        let names = ["wds-0.tar", "truncated.tar", "corrupt.tar", "missing.tar", "wds-1.tar"]
        var options = Self.options(names.map(ShardFixtures.golden))
        options.decodeThreads = 2
        let loader = try WebDatasetLoader(options)
        let keys = try ShardFixtures.keys(loader)
        func pythonKeys(_ shard: String) -> [String] { (expected[shard] ?? []).compactMap { $0["__key__"] as? String } }
        let pythonTruncated = pythonKeys("truncated.tar")
        #expect(expected["truncated.tar"]?.last?.count ?? 0 < expected["wds-0.tar"]?.first?.count ?? 0,
                "webdataset's last sample of the truncated shard is partial")
        let want = pythonKeys("wds-0.tar") + pythonTruncated.dropLast() + pythonKeys("corrupt.tar").dropLast() + pythonKeys("wds-1.tar")
        #expect(keys == want)
        let report = loader.report
        #expect(report.shardsRead == 2)
        #expect(report.shardFailures.map(\.source) == names.filter { !$0.hasPrefix("wds") }.map(ShardFixtures.golden))
    }

    @Test func shardsWithoutAnySampleAreAnError() throws {
        let loader = try WebDatasetLoader(Self.options([ShardFixtures.golden("missing.tar")]))
        #expect(throws: TrainingError.self) { _ = try loader.nextBatch() }
        #expect(throws: TrainingError.self) { try WebDatasetLoader(Self.options([], batch: 1)) }
    }

    /// Invariant: a sample whose member does not decode is skipped and counted; the rest still come.
    @Test func undecodableSamplesAreSkippedAndCounted() throws {
        let directory = try Fixtures.temporaryDirectory("bad-sample")
        let shards = try ShardFixtures.write(in: directory, shards: 1, perShard: 4)
        // Rewrite the second sample's label as text that is no integer, keeping the tar valid.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: shards[0]))
        let marker = Data("s0_001.cls".utf8)
        let header = try #require(bytes.range(of: marker)).lowerBound
        bytes[header + 512] = UInt8(ascii: "x")
        try bytes.write(to: URL(fileURLWithPath: shards[0]))
        let loader = try WebDatasetLoader(Self.options(shards))
        #expect(try ShardFixtures.keys(loader) == ["s0_000", "s0_002", "s0_003"])
        #expect(loader.report.samplesSkipped == 1 && loader.report.sampleFailures.first?.source == "s0_001")
    }
}
