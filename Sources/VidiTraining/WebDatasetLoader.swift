import Foundation
import Synchronization

/// Streams batches from WebDataset shards: one thread reads shards in order (split for this rank and
/// worker, optionally shuffled per epoch) and shuffles samples in a seeded buffer; `decodeThreads` threads
/// decode members (`.npy`, `.json`, `.png`/`.jpg`, `.cls`, `.txt`) in the background; `nextBatch()`
/// collates them in a deterministic order, whatever the thread count.
///
/// Damaged input never stops the stream: a missing, corrupt or truncated shard and a sample that fails to
/// decode are recorded in `report` and skipped. Only when an epoch yields no sample at all does
/// `nextBatch()` throw (`TrainingError.noSamples`).
///
/// ```swift
/// var options = WebDatasetOptions(shards: try ShardPattern.expand("out/{00000..00009}.tar"), batchSize: 32)
/// options.shuffleBuffer = 1000
/// let loader = try WebDatasetLoader(options)
/// while let batch = try loader.nextBatch() { let x = try batch.tensor("frames.npy") ... }
/// ```
/// Not Sendable: one consumer. The threads stop when the loader is released (or `close()`).
public final class WebDatasetLoader {
    public let options: WebDatasetOptions
    private let channel: LoaderChannel
    private var finished = false
    private var closed = false
    /// Position after the last delivered batch.
    public private(set) var position: ReaderPosition

    public init(_ options: WebDatasetOptions) throws(TrainingError) {
        try options.validate()
        self.options = options
        position = options.start
        channel = LoaderChannel(capacity: options.prefetch, window: options.prefetch + options.decodeThreads)
        let channel = self.channel
        let producer = Thread { Self.produce(options, channel) }
        producer.name = "vidi-shard-reader"
        producer.start()
        for index in 0..<options.decodeThreads {
            let decoder = Thread { Self.decode(channel) }
            decoder.name = "vidi-sample-decoder-\(index)"
            decoder.start()
        }
    }

    deinit { close() }

    /// What was skipped so far.
    public var report: ReaderReport { channel.report.withLock { $0 } }

    /// Stops the background threads; later `nextBatch()` calls return nil.
    public func close() {
        guard !closed else { return }
        closed = true
        channel.stop(threads: options.decodeThreads + 1)
    }

    /// The next batch, or nil when the last epoch is done. Batches never span two epochs.
    public func nextBatch() throws(TrainingError) -> Batch? {
        guard !finished, !closed else { return nil }
        var samples: [DecodedSample] = []
        var epoch = position.epoch
        while true {
            switch channel.next() {
            case .sample(let result, let sampleEpoch, let index):
                epoch = sampleEpoch
                position = ReaderPosition(epoch: sampleEpoch, sample: index + 1)
                switch result {
                case .success(let sample): samples.append(sample)
                case .failure(let error):
                    channel.report.withLock { $0.sampleFailures.append(.init(source: Self.source(of: error), reason: "\(error)")) }
                }
                if samples.count == options.batchSize { return try collate(samples, epoch) }
            case .epochEnd(let ended):
                position = ReaderPosition(epoch: ended + 1, sample: 0)
                if !samples.isEmpty && !options.dropLast { return try collate(samples, ended) }
                samples.removeAll()
            case .finished:
                finished = true
                close()
                return samples.isEmpty || options.dropLast ? nil : try collate(samples, epoch)
            case .failed(let error):
                finished = true
                close()
                throw error
            }
        }
    }

    private func collate(_ samples: [DecodedSample], _ epoch: Int) throws(TrainingError) -> Batch {
        do {
            return try Batch.collate(samples, position: position, epoch: epoch)
        } catch let error as TrainingError {
            throw error
        } catch {
            throw .badSample(key: samples.first?.key ?? "", reason: "cannot collate: \(error)")
        }
    }

    private static func source(of error: TrainingError) -> String {
        if case .badSample(let key, _) = error { return key }
        return "sample"
    }

    // MARK: - Background threads

    /// Reads every epoch's shards in order into the channel.
    private static func produce(_ options: WebDatasetOptions, _ channel: LoaderChannel) {
        var skip = options.start.sample
        var epoch = options.start.epoch
        while options.epochs.map({ epoch < $0 }) ?? true {
            let shards = options.shards(forEpoch: epoch)
            guard !shards.isEmpty else {
                _ = channel.put(.failed(.noSamples("rank \(options.rank)/\(options.worldSize), worker \(options.workerIndex)/\(options.workerCount) gets none of \(options.shards.count) shard(s)")))
                return
            }
            var shuffle = ShuffleBuffer<RawSample>(capacity: options.shuffleBuffer, maxBytes: options.shuffleBufferBytes,
                                                   seed: WebDatasetOptions.derivedSeed(options.seed, epoch: epoch, stream: 2),
                                                   size: { $0.members.reduce(0) { $0 + $1.1.count } })
            var index = 0
            func emit(_ sample: RawSample) -> Bool {
                defer { index += 1 }
                guard index >= skip else { return !channel.isStopping }
                channel.report.withLock { $0.samplesRead += 1 }
                return channel.put(.sample(sample, epoch: epoch, index: index))
            }
            for shard in shards {
                do {
                    var reader = try ShardSampleReader(shard: shard)
                    while let sample = try reader.next() {
                        for out in shuffle.push(sample) where !emit(out) { return }
                        if channel.isStopping { return }
                    }
                    channel.report.withLock { $0.shardsRead += 1 }
                } catch {
                    channel.report.withLock { $0.shardFailures.append(.init(source: shard, reason: "\(error)")) }
                }
            }
            for sample in shuffle.drain() where !emit(sample) { return }
            guard index > 0 else {
                _ = channel.put(.failed(.noSamples("epoch \(epoch) found no readable sample in \(shards.count) shard(s)")))
                return
            }
            guard channel.put(.epochEnd(epoch: epoch)) else { return }
            skip = 0
            epoch += 1
        }
        _ = channel.put(.finished)
    }

    /// Decodes samples as they come; passes markers through.
    private static func decode(_ channel: LoaderChannel) {
        while let (sequence, item) = channel.take() {
            let ready: ReadyItem
            switch item {
            case .sample(let raw, let epoch, let index):
                let result: Result<DecodedSample, TrainingError>
                do {
                    result = .success(try SampleDecoder.decode(raw))
                } catch let error as TrainingError {
                    result = .failure(error)
                } catch {
                    result = .failure(.badSample(key: raw.key, reason: "\(error)"))
                }
                ready = .sample(result, epoch: epoch, index: index)
            case .epochEnd(let epoch): ready = .epochEnd(epoch: epoch)
            case .finished: ready = .finished
            case .failed(let error): ready = .failed(error)
            }
            channel.finish(sequence, ready)
        }
    }
}
