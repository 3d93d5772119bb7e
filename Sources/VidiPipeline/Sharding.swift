/// Which part of the work one process does: shard indices `s` with `s % count == index`.
public struct ShardSelection: Sendable, Equatable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public static let all = ShardSelection(index: 0, count: 1)

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    public var description: String { "\(index)/\(count)" }

    public func includes(shard: Int) -> Bool { shard % count == index }

    /// Parses `I/N` (0 <= I < N).
    public static func parse(_ text: String) throws -> ShardSelection {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw PipelineError.invalidOption("--shard must look like I/N (e.g. 3/8), got '\(text)'")
        }
        return try validated(index: index, count: count, source: "--shard \(text)")
    }

    /// The selection a scheduler hands this process through its environment, or nil outside one:
    /// Slurm job arrays (`SLURM_ARRAY_TASK_ID`, `SLURM_ARRAY_TASK_COUNT`, offset by `SLURM_ARRAY_TASK_MIN`)
    /// and Kubernetes Indexed Jobs (`JOB_COMPLETION_INDEX` with `VIDI_SHARD_COUNT`, since Kubernetes does
    /// not export the completion count). `VIDI_SHARD_INDEX`/`VIDI_SHARD_COUNT` work with any launcher.
    public static func fromEnvironment(_ environment: [String: String]) throws -> ShardSelection? {
        func number(_ name: String) throws -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw PipelineError.invalidOption("\(name)='\(text)' is not an integer")
            }
            return value
        }
        if let id = try number("SLURM_ARRAY_TASK_ID") {
            guard let count = try number("SLURM_ARRAY_TASK_COUNT") else {
                throw PipelineError.invalidOption("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not")
            }
            let minimum = try number("SLURM_ARRAY_TASK_MIN") ?? 0
            return try validated(index: id - minimum, count: count, source: "SLURM_ARRAY_TASK_ID=\(id)")
        }
        for indexName in ["JOB_COMPLETION_INDEX", "VIDI_SHARD_INDEX"] {
            if let index = try number(indexName) {
                guard let count = try number("VIDI_SHARD_COUNT") else {
                    throw PipelineError.invalidOption("\(indexName) is set: also set VIDI_SHARD_COUNT to the number of processes")
                }
                return try validated(index: index, count: count, source: "\(indexName)=\(index)")
            }
        }
        return nil
    }

    private static func validated(index: Int, count: Int, source: String) throws -> ShardSelection {
        guard count > 0, index >= 0, index < count else {
            throw PipelineError.invalidOption("\(source): need 0 <= index < count, got \(index)/\(count)")
        }
        return ShardSelection(index: index, count: count)
    }
}

/// Deterministic assignment of manifest entries to shards: entry `i` goes to shard `i / samplesPerShard`.
/// It depends only on the manifest order and the spec, never on worker or process counts, so N processes
/// each writing their shards produce exactly the files of one process writing all of them.
public struct ShardLayout: Sendable, Equatable {
    public var entryCount: Int
    public var samplesPerShard: Int

    public init(entryCount: Int, samplesPerShard: Int) {
        precondition(samplesPerShard > 0, "samplesPerShard is validated by the spec parser")
        self.entryCount = entryCount
        self.samplesPerShard = samplesPerShard
    }

    public var shardCount: Int { (entryCount + samplesPerShard - 1) / samplesPerShard }

    public func shard(ofEntry index: Int) -> Int { index / samplesPerShard }

    public func entries(ofShard shard: Int) -> Range<Int> {
        let start = shard * samplesPerShard
        return start..<min(start + samplesPerShard, entryCount)
    }

    /// Shard file stem, zero-padded to at least 5 digits (`00042`) so names sort in order.
    public func name(ofShard shard: Int) -> String {
        let digits = max(5, String(max(shardCount - 1, 0)).count)
        let text = String(shard)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// Sample key of a manifest entry: its index, zero-padded to 9 digits.
    public static func key(ofEntry index: Int) -> String {
        let text = String(index)
        return String(repeating: "0", count: max(0, 9 - text.count)) + text
    }
}
