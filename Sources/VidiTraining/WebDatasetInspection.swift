/// Quick looks at shards before training: the first sample (to size a model from its members) and the
/// sample count (to turn epochs into steps for a schedule).
public enum WebDatasetInspection {
    /// The first readable sample of the first shard that has one, decoded.
    public static func firstSample(of shards: [String]) throws -> DecodedSample {
        var problems: [String] = []
        for shard in shards {
            do {
                var reader = try ShardSampleReader(shard: shard)
                if let raw = try reader.next() { return try SampleDecoder.decode(raw) }
            } catch {
                problems.append("\(error)")
            }
        }
        throw TrainingError.noSamples("none of \(shards.count) shard(s) has a readable sample" + (problems.first.map { " (\($0))" } ?? ""))
    }

    /// Samples in `shards` (members are read but not decoded; damaged shards count what precedes the damage).
    public static func countSamples(in shards: [String]) -> Int {
        var count = 0
        for shard in shards {
            guard var reader = try? ShardSampleReader(shard: shard) else { continue }
            while let sample = try? reader.next() {
                _ = sample
                count += 1
            }
        }
        return count
    }
}
