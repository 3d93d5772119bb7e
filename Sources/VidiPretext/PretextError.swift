/// What went wrong generating a pretext sample: always says which input and why.
public enum PretextError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A parameter outside its valid range (names the parameter and the value).
    case invalidArgument(String)
    /// The input is too small or too short for the task (says what was needed).
    case inputTooSmall(String)
    /// The input could not be read or does not have what the task needs.
    case unsupportedInput(String)

    public var description: String {
        switch self {
        case .invalidArgument(let message): return "invalid argument: \(message)"
        case .inputTooSmall(let message): return "input too small: \(message)"
        case .unsupportedInput(let message): return "unsupported input: \(message)"
        }
    }
}
