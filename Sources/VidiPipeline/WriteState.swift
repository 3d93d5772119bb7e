import Foundation
import VidiFormats

/// Writer-side bookkeeping: opens and commits shards as the ordered stream of outcomes passes.
struct WriteState {
    let layout: ShardLayout
    let pending: [Int]
    let writer: any ShardWriter
    let directory: String
    let runOutputs: [(stage: any RunOutputStage, file: String)]
    let crashHook: (@Sendable (CrashPoint) throws -> Void)?
    let start: ContinuousClock.Instant

    var shardPosition = 0
    var inShard = 0
    var open = false
    var shardStart = ContinuousClock.now
    var shardStartedAt = ""
    var shardStats: ShardStats?
    /// The open shard's records for run-level outputs, by stage name, in manifest order.
    var shardRecords: [String: [RunRecord]] = [:]
    var failures: [FailureRecord] = []
    var shardsWritten = 0
    var videosDone = 0
    var succeeded = 0
    var damaged = 0
    var failedThisRun = 0
    var frames = 0

    init(layout: ShardLayout, pending: [Int], writer: any ShardWriter, directory: String, runOutputs: [(stage: any RunOutputStage, file: String)],
         crashHook: (@Sendable (CrashPoint) throws -> Void)?, start: ContinuousClock.Instant) {
        self.runOutputs = runOutputs
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
            shardStats = ShardStats(shard: name, entries: 0, succeeded: 0, damaged: 0, failed: 0, frames: 0, bytes: 0, failures: [],
                                    seconds: 0, stageSeconds: [:], startedAt: shardStartedAt, finishedAt: "")
        }
        guard var stats = shardStats else { preconditionFailure("shard stats exist while a shard is open") }
        stats.entries += 1
        stats.frames += outcome.frames
        for (stage, seconds) in outcome.stageSeconds { stats.stageSeconds[stage, default: 0] += seconds }
        switch outcome.result {
        case .success(let sample, let records):
            try writer.write(sample)
            for (stage, bytes) in records { shardRecords[stage, default: []].append(RunRecord(key: sample.key, bytes: bytes)) }
            stats.succeeded += 1
            stats.bytes += sample.files.reduce(0) { $0 + $1.bytes.count }
            succeeded += 1
            if outcome.damaged {
                stats.damaged += 1
                damaged += 1
            }
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
            // Parts go before the stats file, which marks the shard (parts included) done.
            for (stage, file) in runOutputs {
                try RunOutputParts.write(shardRecords[stage.name] ?? [], directory: directory, output: file, shard: name)
            }
            shardRecords = [:]
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
        shardRecords = [:]
        open = false
    }
}
