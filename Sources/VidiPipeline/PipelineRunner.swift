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
    /// Run-level files written by this process (paths), and those still waiting for other shards.
    public var runOutputsWritten: [String] = []
    public var runOutputsPending: [String] = []
    /// Things the run recovered from that the user should know (a damaged stats file redone).
    public var warnings: [String] = []
    /// True for the summary of `--merge`, which processes no video.
    public var merged = false
    /// Of `succeeded`, videos written although damaged (`run.damaged: keep`), in this run.
    public var damaged = 0

    public static func mergeOnly(_ directory: String) -> RunSummary {
        RunSummary(outputDirectory: directory, selection: .all, shardsTotal: 0, shardsAssigned: 0, shardsSkipped: 0, shardsWritten: 0,
                   videos: 0, succeeded: 0, frames: 0, seconds: 0, failures: [], interrupted: false, merged: true)
    }
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
        var warnings: [String] = []
        for shard in assigned {
            let name = layout.name(ofShard: shard)
            let statsPath = ShardStats.path(directory: outputDirectory, shard: name)
            let done = FileManager.default.fileExists(atPath: statsPath)
                && FileManager.default.fileExists(atPath: writer.outputPath(shard: name))
            if done && options.resume {
                // A stats file is renamed into place whole, so an unreadable one was damaged later: redo.
                do {
                    earlier.append(try ShardStats.read(path: statsPath))
                } catch {
                    warnings.append("shard \(name) redone: \(error)")
                    pending.append(shard)
                }
            } else if done && !options.overwrite {
                throw PipelineError.output(path: outputDirectory,
                    message: "shard \(name) is already finished; pass --resume to continue the run or --overwrite to redo it")
            } else {
                pending.append(shard)
            }
        }

        for case let stage as any ModelStage in spec.stages { try stage.prepareRun() }
        var state = WriteState(layout: layout, pending: pending, writer: writer, directory: outputDirectory,
                               runOutputs: runOutputs, crashHook: options.crashHook, start: start)
        state.failures = earlier.flatMap(\.failures)
        let interrupted = try await process(groups(of: pending), into: &state)

        try writeFailureList()
        var summary = RunSummary(
            outputDirectory: outputDirectory, selection: options.selection, shardsTotal: layout.shardCount,
            shardsAssigned: assigned.count, shardsSkipped: earlier.count, shardsWritten: state.shardsWritten,
            videos: state.videosDone, succeeded: state.succeeded, frames: state.frames, seconds: 0,
            failures: state.failures, interrupted: interrupted, warnings: warnings)
        summary.damaged = state.damaged
        if !interrupted && !runOutputs.isEmpty {
            let merge = try mergeRunOutputs()
            summary.runOutputsWritten = merge.written
            summary.runOutputsPending = merge.pending
        }
        summary.seconds = (ContinuousClock.now - start).seconds
        return summary
    }

    /// The stages with run-level outputs, in spec order.
    var runOutputs: [(stage: any RunOutputStage, file: String)] {
        spec.stages.compactMap { stage in (stage as? any RunOutputStage).flatMap { s in s.runOutput.map { (s, $0) } } }
    }

    /// `shards`' entries in manifest order, cut into the groups one worker job handles: runs of
    /// `batch` consecutive entries from each shard's start (the largest batch a model stage asks for),
    /// fixed by the layout alone so outputs do not depend on workers or the shard split.
    private func groups(of shards: [Int]) -> [[ManifestEntry]] {
        let batch = spec.stages.compactMap { ($0 as? any ModelStage)?.batchSize }.max() ?? 1
        var groups: [[ManifestEntry]] = []
        for shard in shards {
            let range = layout.entries(ofShard: shard)
            for start in stride(from: range.lowerBound, to: range.upperBound, by: max(1, batch)) {
                groups.append((start..<min(start + max(1, batch), range.upperBound)).map { manifest.entries[$0] })
            }
        }
        return groups
    }

    /// Processes `groups` with about `2 × workers` groups in flight and hands results to `state` in
    /// manifest order. Returns true when stopped by cancellation.
    private func process(_ groups: [[ManifestEntry]], into state: inout WriteState) async throws -> Bool {
        guard !groups.isEmpty else { return false }
        let pool = BlockingWorkerPool(threads: options.workers)
        defer { pool.shutdown() }
        // Up to two groups per worker in flight (a window counted in videos, so batches fit in it).
        let window = options.workers * 2 * (groups.map(\.count).max() ?? 1)
        let processor = GroupProcessor(stages: spec.stages, limitSeconds: spec.run.videoTimeout, keepDamaged: spec.run.keepDamaged,
                                       maxSampleBytes: spec.run.maxSampleBytes, cancellation: options.cancellation)
        let cancellation = options.cancellation
        let entries = groups.flatMap { $0 }
        let firstPosition = groups.reduce(into: [0]) { $0.append($0[$0.count - 1] + $1.count) }
        var interrupted = false
        let total = entries.count

        try await withThrowingTaskGroup(of: (Int, [VideoOutcome]).self) { group in
            var nextToStart = 0
            var nextToWrite = 0
            var finished: [Int: VideoOutcome] = [:]
            func startMore() {
                while nextToStart < groups.count, firstPosition[nextToStart] - nextToWrite < window, cancellation?.isSet != true {
                    let (position, members) = (firstPosition[nextToStart], groups[nextToStart])
                    group.addTask { (position, await pool.run { models in processor.process(members, models: models) }) }
                    nextToStart += 1
                }
            }
            startMore()
            while let (position, outcomes) = try await group.next() {
                for (offset, outcome) in outcomes.enumerated() { finished[position + offset] = outcome }
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
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: outputDirectory)
        } catch {
            throw PipelineError.output(path: outputDirectory, message: "cannot list the output to rebuild failures.jsonl: \(error.localizedDescription)")
        }
        var lines: [UInt8] = []
        for name in names.filter({ $0.hasSuffix("_stats.json") && !$0.hasPrefix(".") }).sorted() {
            // Stats files are renamed into place whole: an unreadable one is damage the user must see.
            let stats = try ShardStats.read(path: (outputDirectory as NSString).appendingPathComponent(name))
            for failure in stats.failures {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                lines += Array(try encoder.encode(failure)) + [0x0A]
            }
        }
        try DurableFile.write(lines, to: (outputDirectory as NSString).appendingPathComponent("failures.jsonl"), shared: true)
    }
}

