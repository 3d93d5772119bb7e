/// What went wrong reading or using localization inputs: file, key and reason, never a crash.
public enum LocalizationError: Error, CustomStringConvertible, Equatable {
    /// A file could not be read or written.
    case io(path: String, reason: String)
    /// The text is not JSON (`offset` is the byte where parsing stopped).
    case malformedJSON(path: String, offset: Int, reason: String)
    /// The JSON is valid but not in the expected layout (`where` is a JSON path such as `database.v1.annotations[0]`).
    case badFormat(path: String, where: String, reason: String)
    /// A value outside what the operation accepts (thresholds, shapes, options).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .io(path, reason): return "\(path): \(reason)"
        case let .malformedJSON(path, offset, reason): return "\(path): not valid JSON at byte \(offset): \(reason)"
        case let .badFormat(path, location, reason): return "\(path): \(location): \(reason)"
        case let .invalidArgument(reason): return reason
        }
    }
}
