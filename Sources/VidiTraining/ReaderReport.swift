/// What a reader skipped and why: shards that could not be opened or broke off (their complete samples
/// before the damage are still delivered) and samples whose members failed to decode.
public struct ReaderReport: Sendable, Equatable {
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var source: String
        public var reason: String
        public var description: String { "\(source): \(reason)" }
    }

    /// Shards read to their end (each pass counts: the reader runs ahead across epochs).
    public var shardsRead = 0
    /// Shards missing, unreadable, corrupt or truncated.
    public var shardFailures: [Problem] = []
    /// Samples handed to the decoders.
    public var samplesRead = 0
    /// Samples skipped because a member failed to decode.
    public var sampleFailures: [Problem] = []

    public init() {}

    public var shardsFailed: Int { shardFailures.count }
    public var samplesSkipped: Int { sampleFailures.count }
    public var isClean: Bool { shardFailures.isEmpty && sampleFailures.isEmpty }

    /// One line for logs: `12 shard passes, 5800 samples read; 1 shard(s) failed, 3 sample(s) skipped`.
    public var summary: String {
        var text = "\(shardsRead) shard passes, \(samplesRead) samples read"
        if !isClean { text += "; \(shardsFailed) shard(s) failed, \(samplesSkipped) sample(s) skipped" }
        return text
    }
}
