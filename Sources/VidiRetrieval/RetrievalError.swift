/// Errors from VidiRetrieval: bad feature shapes or masks, missing checkpoint keys, unreadable index files,
/// tokenizer data problems. Each message names the input and what was wrong with it.
public enum RetrievalError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Features or masks whose shapes do not fit together.
    case shape(String)
    /// A mask row without a single valid token or frame (its softmax and mean are undefined).
    case emptyMask(String)
    /// A checkpoint that lacks a key or has one of the wrong shape.
    case checkpoint(String)
    /// An index file that is missing, truncated, corrupted or of another version.
    case index(path: String, reason: String)
    /// Anything else the caller passed that cannot be used.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .shape(let reason): return "shape: \(reason)"
        case .emptyMask(let reason): return "mask: \(reason)"
        case .checkpoint(let reason): return "checkpoint: \(reason)"
        case .index(let path, let reason): return "index \(path): \(reason)"
        case .invalidArgument(let reason): return reason
        }
    }
}
