import Foundation

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

    /// Appends `{"k": v, ...}` in the given order.
    public func write(_ fields: [(String, Value)]) throws {
        let body = fields.map { key, value in "\"\(Self.escape(key))\": \(Self.text(value))" }.joined(separator: ", ")
        try handle.write(contentsOf: Data(("{" + body + "}\n").utf8))
    }

    static func text(_ value: Value) -> String {
        switch value {
        case .int(let v): return String(v)
        case .float(let v): return v.isFinite ? "\(v)" : "null"
        case .double(let v): return v.isFinite ? "\(v)" : "null"
        case .string(let v): return "\"\(escape(v))\""
        }
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// The integer after `"step": ` in a line written by this class.
    static func step(of line: Substring) -> Int? {
        guard let range = line.range(of: "\"step\": ") else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }
}
