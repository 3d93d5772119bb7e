import Foundation
import VidiFormats

/// An append-only JSON Lines file (`train_log.jsonl`, `metrics.jsonl`), one flat object per line, flushed
/// line by line so a killed run leaves every finished line. Numbers use Swift's shortest round-trip text,
/// so the same values always give the same bytes.
public final class JSONLinesLog {
    public let path: String
    private let handle: FileHandle

    /// Opens `path` for appending. With `keepThroughStep`, first drops lines whose `"step"` is larger (the
    /// steps a killed run logged after its last checkpoint, which the resumed run will log again).
    public init(path: String, keepThroughStep: Int? = nil) throws {
        self.path = path
        let manager = FileManager.default
        try manager.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if let keep = keepThroughStep, let text = try? String(contentsOfFile: path, encoding: .utf8) {
            let kept = text.split(separator: "\n").filter { line in (Self.step(of: line) ?? 0) <= keep }
            try Data(kept.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } else if keepThroughStep == nil || !manager.fileExists(atPath: path) {
            // A fresh run starts a fresh log.
            _ = manager.createFile(atPath: path, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw TrainingError.invalidOption("cannot open log \(path) for writing")
        }
        self.handle = handle
        handle.seekToEndOfFile()
    }

    deinit { try? handle.close() }

    public enum Value: Sendable, Equatable {
        case int(Int)
        case float(Float)
        case double(Double)
        case string(String)
    }

    /// Appends one object (keys sorted, through `JSONValue`, Vidi's one JSON encoding). A float prints
    /// as its shortest decimal text (0.3, not 0.30000001192092896).
    public func write(_ fields: [(String, Value)]) throws {
        var object: [String: JSONValue] = [:]
        for (key, value) in fields {
            switch value {
            case .int(let v): object[key] = .int(v)
            case .float(let v): object[key] = v.isFinite ? .double(Double("\(v)") ?? Double(v)) : .null
            case .double(let v): object[key] = v.isFinite ? .double(v) : .null
            case .string(let v): object[key] = .string(v)
            }
        }
        try handle.write(contentsOf: Data(try JSONValue.object(object).encoded() + [0x0A]))
    }

    /// The `step` field of a line written by this class.
    static func step(of line: Substring) -> Int? {
        guard case .object(let object)? = try? JSONValue.parse(Data(line.utf8)), case .int(let step)? = object["step"] else { return nil }
        return step
    }
}
