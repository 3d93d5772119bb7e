import Foundation

/// A video that produced no sample, and why.
public struct FailureRecord: Codable, Sendable, Equatable {
    public var key: String
    public var source: String
    public var shard: String
    public var reason: String
}

/// `<shard>_stats.json`: written last and atomically, so its presence marks the shard done. Timings live
/// here, never inside samples.
public struct ShardStats: Codable, Sendable, Equatable {
    public var shard: String
    public var entries: Int
    public var succeeded: Int
    /// Of `succeeded`, samples written from a damaged video (`run.damaged: keep`).
    public var damaged: Int
    public var failed: Int
    public var frames: Int
    public var bytes: Int
    public var failures: [FailureRecord]
    /// Wall-clock seconds from the shard's first video starting to its commit.
    public var seconds: Double
    /// Summed per-video processing seconds, by stage.
    public var stageSeconds: [String: Double]
    public var startedAt: String
    public var finishedAt: String

    enum CodingKeys: String, CodingKey {
        case shard, entries, succeeded, damaged, failed, frames, bytes, failures, seconds
        case stageSeconds = "stage_seconds", startedAt = "started_at", finishedAt = "finished_at"
    }

    init(shard: String, entries: Int, succeeded: Int, damaged: Int, failed: Int, frames: Int, bytes: Int,
         failures: [FailureRecord], seconds: Double, stageSeconds: [String: Double], startedAt: String, finishedAt: String) {
        self.shard = shard; self.entries = entries; self.succeeded = succeeded; self.damaged = damaged
        self.failed = failed; self.frames = frames; self.bytes = bytes; self.failures = failures
        self.seconds = seconds; self.stageSeconds = stageSeconds; self.startedAt = startedAt; self.finishedAt = finishedAt
    }

    /// Stats files written before `damaged` existed read as 0 damaged, so `--resume` keeps their shards.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(shard: try c.decode(String.self, forKey: .shard), entries: try c.decode(Int.self, forKey: .entries),
                  succeeded: try c.decode(Int.self, forKey: .succeeded),
                  damaged: try c.decodeIfPresent(Int.self, forKey: .damaged) ?? 0,
                  failed: try c.decode(Int.self, forKey: .failed), frames: try c.decode(Int.self, forKey: .frames),
                  bytes: try c.decode(Int.self, forKey: .bytes), failures: try c.decode([FailureRecord].self, forKey: .failures),
                  seconds: try c.decode(Double.self, forKey: .seconds),
                  stageSeconds: try c.decode([String: Double].self, forKey: .stageSeconds),
                  startedAt: try c.decode(String.self, forKey: .startedAt), finishedAt: try c.decode(String.self, forKey: .finishedAt))
    }

    static func path(directory: String, shard: String) -> String {
        (directory as NSString).appendingPathComponent("\(shard)_stats.json")
    }

    /// Reads a stats file; a missing or unreadable one throws, saying which.
    static func read(path: String) throws -> ShardStats {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError.output(path: path, message: "cannot read the shard's stats file")
        }
        do {
            return try JSONDecoder().decode(ShardStats.self, from: data)
        } catch {
            throw PipelineError.output(path: path, message: "damaged stats file (\(error)); rerun with --resume to redo its shard")
        }
    }

    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [0x0A]
    }
}

/// ISO 8601 UTC time for the stats files.
func timestampNow() -> String {
    Date().formatted(.iso8601)
}
