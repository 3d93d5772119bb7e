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
        case shard, entries, succeeded, failed, frames, bytes, failures, seconds
        case stageSeconds = "stage_seconds", startedAt = "started_at", finishedAt = "finished_at"
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
