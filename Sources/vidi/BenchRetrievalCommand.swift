import ArgumentParser
import Foundation
import VidiRetrieval
import VidiTensor

/// `vidi bench retrieval wti|search`.
struct BenchRetrievalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieval",
        abstract: "Retrieval benchmarks: WTI scoring throughput; exact and two-stage search latency on a synthetic collection.",
        subcommands: [BenchWTICommand.self, BenchSearchCommand.self])
}

struct BenchWTICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wti",
        abstract: "WTI scoring throughput (text-video pairs/s); Tools/bench/retrieval_numpy_wti.py is the numpy peer.")
    @Option var texts = 256
    @Option var videos = 2048
    @Option var tokens = 32
    @Option var frames = 12
    @Option var dim = 512
    @Flag var json = false

    func run() throws {
        var g = RandomGenerator(seed: 0)
        func unit(_ n: Int) -> [Float] {
            var out: [Float] = []
            for _ in 0..<n {
                let v = (0..<dim).map { _ in g.nextNormal() }
                let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
                out += v.map { $0 / norm }
            }
            return out
        }
        let features = unit(videos * frames)
        let weights = (0..<videos).flatMap { _ in [Float](repeating: 1 / Float(frames), count: frames) }
        let queries = try (0..<texts).map { _ -> ScoringQuery in
            let n = 4 + g.nextIndex(below: tokens - 3)
            return try ScoringQuery(tokens: unit(n), weights: [Float](repeating: 1 / Float(n), count: n), padded: n < tokens)
        }
        var sink: Float = 0
        let timing = BenchTiming.measure(minimumRuns: 3, minimumTime: 2) {
            let s = WTIScorer.scores(queries, features: features, weights: weights, count: videos, slots: frames)
            sink += s[0]
        }
        let pairs = Double(texts * videos) / timing.median
        if json {
            try printJSON([("texts", texts), ("videos", videos), ("tokens", tokens), ("frames", frames), ("dim", dim),
                       ("seconds", timing.median), ("pairs_per_second", pairs)])
        } else {
            print(String(format: "vidi WTI: %dx%d pairs, %d tokens x %d frames x %d: %.3f s, %.0f pairs/s (checksum %.3f)",
                         texts, videos, tokens, frames, dim, timing.median, pairs, sink))
        }
    }
}

struct BenchSearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Exact and two-stage query latency (p50/p99) and two-stage recall@10 against exact, on synthetic videos.")
    @Option var videos = 100_000
    @Option var frames = 12
    @Option var dim = 512
    @Option(help: "Queries timed in exact mode (two-stage times 4x as many).") var queries = 40
    @Option(parsing: .upToNextOption, help: "Candidate counts for two-stage.") var candidates: [Int] = [500, 1000, 2000]
    @Option var storage = "float16"
    @Option(help: "Index file to reuse or create (default: a temporary file).") var index: String?
    @Option var threads = 2

    func run() throws {
        let data = SyntheticFeatures(videos: videos, frames: frames, dimension: dim)
        let path = index ?? NSTemporaryDirectory() + "vidi-bench-\(videos).vidx"
        if !FileManager.default.fileExists(atPath: path) {
            let t0 = Date()
            guard let kind = IndexFormat.Storage.allCases.first(where: { $0.name == storage }) else { throw ValidationError("bad --storage") }
            try IndexWriter.write(ids: (0..<videos).map { "synthetic\($0)" }, dimension: dim, to: path, slots: frames, storage: kind,
                                  interaction: .wti, model: nil) { try data.video($0) }
            print(String(format: "built %@ in %.1f s", path, Date().timeIntervalSince(t0)))
        }
        let i = try RetrievalIndex(path: path)
        print("index: \(i.count) videos x \(i.slots) frames x \(i.dimension) (\(i.storage.name)), \(threads) threads")
        func percentile(_ xs: [Double], _ p: Double) -> Double {
            let s = xs.sorted(); return s[min(s.count - 1, Int((Double(s.count - 1) * p).rounded()))]
        }
        let clock = ContinuousClock()
        var exactTop: [[Int]] = [], exactTimes: [Double] = [], hitTarget = 0
        let qs = try (0..<(queries * 4)).map { try data.query($0) }
        _ = try i.search(qs[0].query, top: 10, threads: threads)       // warm the page cache
        for q in 0..<queries {
            let t0 = clock.now
            let hits = try i.search(qs[q].query, top: 10, threads: threads)
            exactTimes.append((clock.now - t0).seconds)
            exactTop.append(hits.map(\.video))
            if hits.first?.video == qs[q].target { hitTarget += 1 }
        }
        print(String(format: "exact:      p50 %.1f ms  p99 %.1f ms  (%d queries; target ranked first in %d)",
                     percentile(exactTimes, 0.5) * 1000, percentile(exactTimes, 0.99) * 1000, queries, hitTarget))
        for c in candidates {
            var times: [Double] = [], recall = 0.0
            for q in 0..<(queries * 4) {
                let t0 = clock.now
                let hits = try i.search(qs[q].query, top: 10, mode: .twoStage(candidates: c), threads: threads)
                times.append((clock.now - t0).seconds)
                if q < queries { recall += Double(Set(hits.map(\.video)).intersection(exactTop[q]).count) / 10 }
            }
            print(String(format: "two-stage C=%d: p50 %.2f ms  p99 %.2f ms  recall@10 vs exact %.3f  (%d queries)",
                         c, percentile(times, 0.5) * 1000, percentile(times, 0.99) * 1000, recall / Double(queries), queries * 4))
        }
    }
}
