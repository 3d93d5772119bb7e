/// Everything that can go wrong setting up or running a pipeline. Each case names the file and, for specs,
/// the line, column and key path, so a user can fix the spec without guessing.
public enum PipelineError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A spec is malformed: unknown key, wrong type, impossible combination. `line`/`column` are 1-based.
    case spec(file: String, line: Int, column: Int, key: String, message: String)
    /// The spec file is not valid YAML at all.
    case yaml(file: String, message: String)
    /// A file the run needs (`what`: "spec file", ...) does not exist or cannot be read.
    case missingFile(path: String, what: String)
    /// A manifest cannot be read or a row is malformed (`line` is 1-based; 0 when not line-specific).
    case manifest(file: String, line: Int, message: String)
    /// A command-line option or environment variable is invalid.
    case invalidOption(String)
    /// The output directory cannot be written, or holds output the run would clobber.
    case output(path: String, message: String)
    /// A video failed inside a stage; the runner records it and moves on.
    case stage(stage: String, message: String)
    /// The per-video time limit passed.
    case timedOut(seconds: Double)
    /// The run was interrupted (SIGINT) or cancelled.
    case cancelled

    public var description: String {
        switch self {
        case .spec(let file, let line, let column, let key, let message):
            return "\(file):\(line):\(column): '\(key)': \(message)"
        case .yaml(let file, let message): return "\(file): not valid YAML: \(message)"
        case .missingFile(let path, let what): return "\(path): no such \(what)"
        case .manifest(let file, let line, let message):
            return line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
        case .invalidOption(let why): return why
        case .output(let path, let message): return "\(path): \(message)"
        case .stage(let stage, let message): return "stage \(stage): \(message)"
        case .timedOut(let seconds): return "timed out after \(seconds) s"
        case .cancelled: return "cancelled"
        }
    }
}
