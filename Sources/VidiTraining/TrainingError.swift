/// Everything the training runtime rejects, with what and where.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// A shard pattern that cannot be expanded.
    case invalidPattern(String, String)
    /// A bad option value (batch size 0, a schedule without steps).
    case invalidOption(String)
    /// The shards held no readable sample (all missing, corrupt or empty).
    case noSamples(String)
    /// A sample that cannot be used: a member failed to decode, or a batch's samples disagree.
    case badSample(key: String, reason: String)
    /// A checkpoint that cannot be written, read, or does not fit the model and optimizer.
    case checkpoint(path: String, reason: String)
    /// The loss became NaN or infinite.
    case nonFiniteLoss(step: Int, value: Float)

    public var description: String {
        switch self {
        case .invalidPattern(let pattern, let why): return "shard pattern '\(pattern)': \(why)"
        case .invalidOption(let why): return "invalid option: \(why)"
        case .noSamples(let why): return "no samples: \(why)"
        case .badSample(let key, let reason): return "sample '\(key)': \(reason)"
        case .checkpoint(let path, let reason): return "checkpoint \(path): \(reason)"
        case .nonFiniteLoss(let step, let value): return "loss is \(value) at step \(step)"
        }
    }
}
