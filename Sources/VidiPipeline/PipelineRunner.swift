import Foundation
import VidiFormats

/// Test-only crash injection points: a hook that throws at one of them leaves the output exactly as a
/// SIGKILL at that instant would (no cleanup runs).
public enum CrashPoint: Sendable, Equatable {
    /// After the `written`-th sample of `shard` went into its temporary file.
    case afterSample(shard: String, written: Int)
    /// After the shard's data is fsynced, before its rename.
    case beforeShardRename(shard: String)
    /// After the shard's rename, before its stats file is renamed into place.
    case beforeStatsRename(shard: String)
}

/// How one invocation runs: parallelism, which shards, resumption, and hooks for the CLI and tests.
public struct RunOptions: Sendable {
    public var workers: Int
    public var selection: ShardSelection = .all
    /// Skip shards whose stats file exists; redo the others.
    public var resume: Bool = false
    /// Redo shards even when they are finished.
    public var overwrite: Bool = false
    public var cancellation: CancellationFlag?
    /// Called after each video is written (from the runner's task, in manifest order).
    public var progress: (@Sendable (RunProgress) -> Void)?
    public var crashHook: (@Sendable (CrashPoint) throws -> Void)?

    public init(workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.workers = max(1, workers)
    }
}

/// Counts for a progress display.
public struct RunProgress: Sendable {
    public var videosTotal: Int
    public var videosDone: Int
    public var failed: Int
    public var frames: Int
    public var shardsDone: Int
    public var shardsTotal: Int
    public var elapsed: Double
}

/// What a run did, for the CLI's summary and exit status.
public struct RunSummary: Sendable {
    public var outputDirectory: String
    public var selection: ShardSelection
    public var shardsTotal: Int
    /// Shards this process is responsible for.
    public var shardsAssigned: Int
    public var shardsSkipped: Int
    public var shardsWritten: Int
    public var videos: Int
    public var succeeded: Int
    public var frames: Int
    public var seconds: Double
    /// Failures in this process's shards, including those finished by an earlier run.
    public var failures: [FailureRecord]
    public var interrupted: Bool
}

/// Runs a pipeline over a manifest: videos in parallel on dedicated threads, samples written in manifest
/// order to shards, each shard committed (fsync, rename) and then marked done by its stats file.
public struct PipelineRunner: Sendable {
    public let spec: PipelineSpec
    public let manifest: Manifest
    public let outputDirectory: String
    public let options: RunOptions

    public init(spec: PipelineSpec, manifest: Manifest, outputDirectory: String, options: RunOptions) {
        self.spec = spec
        self.manifest = manifest
        self.outputDirectory = outputDirectory
        self.options = options
    }

    var layout: ShardLayout { ShardLayout(entryCount: manifest.entries.count, samplesPerShard: spec.output.samplesPerShard) }

    public func run() async throws -> RunSummary {
        do {
            return try await runShards()
        } catch let error as FileWriteError {
            throw PipelineError.output(path: error.path, message: error.message)
        } catch let error as TarError {
            throw PipelineError.output(path: outputDirectory, message: error.description)
        }
    }

    private func runShards() async throws -> RunSummary {
        let start = ContinuousClock.now
        do {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw PipelineError.output(path: outputDirectory, message: "cannot create: \(error.localizedDescription)")
        }
        let layout = self.layout
        let writer: any ShardWriter = spec.output.format == .webdataset
            ? WebDatasetWriter(directory: outputDirectory) : DirectoryWriter(directory: outputDirectory)
        let assigned = (0..<layout.shardCount).filter { options.selection.includes(shard: $0) }

        // Decide every shard's fate before doing any work.
        var pending: [Int] = []
        var earlier: [ShardStats] = []
        for shard in assigned {
            let name = layout.name(ofShard: shard)
            let statsPath = ShardStats.path(directory: outputDirectory, shard: name)
            let done = FileManager.default.fileExists(atPath: statsPath)
                && FileManager.default.fileExists(atPath: writer.outputPath(shard: name))
            if done && options.resume {
                // A stats file is renamed into place whole, so an unreadable one was damaged later: redo.
                if let stats = ShardStats.read(path: statsPath) { earlier.append(stats) } else { pending.append(shard) }
            } else if done && !options.overwrite {
                throw PipelineError.output(path: outputDirectory,
                    message: "shard \(name) is already finished; pass --resume to continue the run or --overwrite to redo it")
            } else {
                pending.append(shard)
            }
        }

        var state = WriteState(layout: layout, pending: pending, writer: writer, directory: outputDirectory,
                               crashHook: options.crashHook, start: start)
        state.failures = earlier.flatMap(\.failures)
        let entries = pending.flatMap { layout.entries(ofShard: $0).map { manifest.entries[$0] } }
        let interrupted = try await process(entries, into: &state)

        try writeFailureList()
        let seconds = (ContinuousClock.now - start).seconds
        return RunSummary(
            outputDirectory: outputDirectory, selection: options.selection, shardsTotal: layout.shardCount,
            shardsAssigned: assigned.count, shardsSkipped: earlier.count, shardsWritten: state.shardsWritten,
            videos: state.videosDone, succeeded: state.succeeded, frames: state.frames, seconds: seconds,
            failures: state.failures, interrupted: interrupted)
    }

    /// Processes `entries` with at most `2 × workers` videos in flight and hands results to `state` in
    /// manifest order. Returns true when stopped by cancellation.
    private func process(_ entries: [ManifestEntry], into state: inout WriteState) async throws -> Bool {
        guard !entries.isEmpty else { return false }
        let pool = BlockingWorkerPool(threads: options.workers)
        defer { pool.shutdown() }
        let window = options.workers * 2
        let stages = spec.stages
        let limit = spec.run.videoTimeout
        let keepDamaged = spec.run.keepDamaged
        let maxSampleBytes = spec.run.maxSampleBytes
        let cancellation = options.cancellation
        var interrupted = false
        let total = entries.count

        try await withThrowingTaskGroup(of: (Int, VideoOutcome).self) { group in
            var nextToStart = 0
            var nextToWrite = 0
            var finished: [Int: VideoOutcome] = [:]
            func startMore() {
                while nextToStart < total, nextToStart - nextToWrite < window, cancellation?.isSet != true {
                    let position = nextToStart
                    let entry = entries[position]
                    group.addTask {
                        (position, await pool.run {
                            VideoOutcome.process(entry, stages: stages, limitSeconds: limit, keepDamaged: keepDamaged,
                                                 maxSampleBytes: maxSampleBytes, cancellation: cancellation)
                        })
                    }
                    nextToStart += 1
                }
            }
            startMore()
            while let (position, outcome) = try await group.next() {
                finished[position] = outcome
                if cancellation?.isSet == true { interrupted = true; continue }  // drain, write nothing more
                while let ready = finished.removeValue(forKey: nextToWrite) {
                    try state.write(ready, entry: entries[nextToWrite])
                    nextToWrite += 1
                    options.progress?(RunProgress(
                        videosTotal: total, videosDone: nextToWrite, failed: state.failedThisRun, frames: state.frames,
                        shardsDone: state.shardsWritten, shardsTotal: state.pendingCount,
                        elapsed: state.elapsedSeconds))
                }
                startMore()
            }
            if nextToWrite < total { interrupted = true }
        }
        if interrupted { state.abandon() }
        return interrupted
    }

    /// `failures.jsonl`: every failure recorded in any finished shard of this output directory, by shard,
    /// rebuilt from the stats files so parallel processes converge on the same list (each rewrites it
    /// whole under its own temporary name; the last rename wins and is complete).
    private func writeFailureList() throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: outputDirectory)) ?? []
        var lines: [UInt8] = []
        for name in names.filter({ $0.hasSuffix("_stats.json") && !$0.hasPrefix(".") }).sorted() {
            guard let stats = ShardStats.read(path: (outputDirectory as NSString).appendingPathComponent(name)) else { continue }
            for failure in stats.failures {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                lines += Array(try encoder.encode(failure)) + [0x0A]
            }
        }
        try DurableFile.write(lines, to: (outputDirectory as NSString).appendingPathComponent("failures.jsonl"), shared: true)
    }
}

/// Writer-side bookkeeping: opens and commits shards as the ordered stream of outcomes passes.
struct WriteState {
    let layout: ShardLayout
    let pending: [Int]
    let writer: any ShardWriter
    let directory: String
    let crashHook: (@Sendable (CrashPoint) throws -> Void)?
    let start: ContinuousClock.Instant

    var shardPosition = 0
    var inShard = 0
    var open = false
    var shardStart = ContinuousClock.now
    var shardStartedAt = ""
    var shardStats: ShardStats?
    var failures: [FailureRecord] = []
    var shardsWritten = 0
    var videosDone = 0
    var succeeded = 0
    var failedThisRun = 0
    var frames = 0

    init(layout: ShardLayout, pending: [Int], writer: any ShardWriter, directory: String,
         crashHook: (@Sendable (CrashPoint) throws -> Void)?, start: ContinuousClock.Instant) {
        self.layout = layout
        self.pending = pending
        self.writer = writer
        self.directory = directory
        self.crashHook = crashHook
        self.start = start
    }

    var pendingCount: Int { pending.count }
    var elapsedSeconds: Double { (ContinuousClock.now - start).seconds }

    mutating func write(_ outcome: VideoOutcome, entry: ManifestEntry) throws {
        let shard = pending[shardPosition]
        let name = layout.name(ofShard: shard)
        if !open {
            try writer.begin(shard: name)
            open = true
            inShard = 0
            shardStart = ContinuousClock.now
            shardStartedAt = timestampNow()
            shardStats = ShardStats(shard: name, entries: 0, succeeded: 0, failed: 0, frames: 0, bytes: 0, failures: [],
                                    seconds: 0, stageSeconds: [:], startedAt: shardStartedAt, finishedAt: "")
        }
        guard var stats = shardStats else { preconditionFailure("shard stats exist while a shard is open") }
        stats.entries += 1
        stats.frames += outcome.frames
        for (stage, seconds) in outcome.stageSeconds { stats.stageSeconds[stage, default: 0] += seconds }
        switch outcome.result {
        case .success(let sample):
            try writer.write(sample)
            stats.succeeded += 1
            stats.bytes += sample.files.reduce(0) { $0 + $1.bytes.count }
            succeeded += 1
        case .failure(let reason):
            let record = FailureRecord(key: ShardLayout.key(ofEntry: entry.index), source: entry.path, shard: name, reason: reason)
            stats.failed += 1
            stats.failures.append(record)
            failures.append(record)
            failedThisRun += 1
        }
        frames += outcome.frames
        videosDone += 1
        inShard += 1
        shardStats = stats
        try crashHook?(.afterSample(shard: name, written: inShard))

        if inShard == layout.entries(ofShard: shard).count {
            try writer.commit { try crashHook?(.beforeShardRename(shard: name)) }
            stats.seconds = (ContinuousClock.now - shardStart).seconds
            stats.finishedAt = timestampNow()
            try DurableFile.write(try stats.encoded(), to: ShardStats.path(directory: directory, shard: name)) {
                try crashHook?(.beforeStatsRename(shard: name))
            }
            open = false
            shardStats = nil
            shardsWritten += 1
            shardPosition += 1
        }
    }

    /// Drops the shard being written (interrupted run); finished shards stay.
    mutating func abandon() {
        if open { writer.abandon() }
        open = false
    }
}
