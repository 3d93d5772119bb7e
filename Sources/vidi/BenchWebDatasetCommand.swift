import ArgumentParser
import Foundation
import VidiTraining

/// `vidi bench webdataset`: reads shards once through the training reader (decode + collate) and reports
/// samples/s and MB/s of shard bytes; `Tools/bench/webdataset_bench.sh` runs it against Python's webdataset.
struct BenchWebDatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webdataset",
        abstract: "Read WebDataset shards with the training reader (decode .npy, batch) and report the speed.")

    @Option(help: "Shards: paths or brace patterns.")
    var shards: String

    @Option(name: .customLong("batch-size"), help: "Samples per batch.")
    var batchSize = 32

    @Option(name: .customLong("decode-threads"), help: "Background decode threads.")
    var decodeThreads = 2

    @Option(name: .customLong("shuffle-buffer"), help: "Shuffle buffer size (0: archive order).")
    var shuffleBuffer = 0

    @Option(help: "Passes over the shards, timed separately; the best is reported.")
    var rounds = 1

    @Flag(help: "One JSON object on stdout.")
    var json = false

    func run() throws {
        let paths = try ShardPattern.expand(shards)
        let bytes = paths.reduce(0) { total, path in
            total + ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
        }
        var best = Double.infinity
        var samples = 0, batches = 0
        for _ in 0..<max(1, rounds) {
            var options = WebDatasetOptions(shards: paths, batchSize: batchSize)
            options.epochs = 1
            options.decodeThreads = decodeThreads
            options.shuffleBuffer = shuffleBuffer
            let clock = ContinuousClock()
            let start = clock.now
            let loader = try WebDatasetLoader(options)
            samples = 0
            batches = 0
            while let batch = try loader.nextBatch() {
                samples += batch.count
                batches += 1
            }
            best = min(best, (clock.now - start) / .seconds(1))
            if !loader.report.isClean { FileHandle.standardError.write(Data("reader: \(loader.report.summary)\n".utf8)) }
        }
        let rate = Double(samples) / best, megabytes = Double(bytes) / 1e6 / best
        if json {
            try printJSON([("reader", "vidi"), ("samples", samples), ("batches", batches), ("seconds", best),
                       ("samples_per_second", rate), ("mb_per_second", megabytes), ("decode_threads", decodeThreads)])
        } else {
            print(String(format: "%d samples in %d batches, %.3f s: %.0f samples/s, %.1f MB/s (%d decode threads)",
                         samples, batches, best, rate, megabytes, decodeThreads))
        }
    }
}
