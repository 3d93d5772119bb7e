import Foundation
import VidiFormats

/// One video to process: its path as written in the manifest, the path to open, and the manifest's other
/// columns (carried into the sample's `.json`).
public struct ManifestEntry: Sendable, Equatable {
    /// Position in the manifest, from 0: fixes the sample key and the shard.
    public var index: Int
    /// The path as the manifest wrote it (what the sample's metadata records as `source`).
    public var path: String
    /// The path resolved against the manifest's folder when relative (URLs are kept as they are).
    public var resolvedPath: String
    public var columns: [String: JSONValue]
}

/// A list of videos: a text file of paths, a CSV or JSONL with a path column, or a directory searched
/// recursively by extension. Order is the file's order (directories: sorted relative paths), so the same
/// manifest always gives the same keys and shards.
public struct Manifest: Sendable {
    public var source: String
    public var entries: [ManifestEntry]

    public static let defaultExtensions = ["mp4", "m4v", "mov", "mkv", "webm", "avi", "mpg", "mpeg", "ts", "flv", "wmv", "3gp"]

    /// Reads `path`; the kind comes from the extension (`.csv`, `.jsonl`/`.ndjson`, otherwise text) or
    /// from it being a directory.
    public static func load(path: String, pathColumn: String = "path", extensions: [String] = defaultExtensions) throws -> Manifest {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PipelineError.manifest(file: path, line: 0, message: "no such file or directory")
        }
        if isDirectory.boolValue { return try directory(path, extensions: extensions) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError.manifest(file: path, line: 0, message: "cannot read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PipelineError.manifest(file: path, line: 0, message: "not UTF-8 text")
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "csv": return try csv(text, file: path, base: base, pathColumn: pathColumn)
        case "jsonl", "ndjson": return try jsonl(text, file: path, base: base, pathColumn: pathColumn)
        default: return try lines(text, file: path, base: base)
        }
    }

    /// One path per line; blank lines and lines starting with `#` are skipped.
    static func lines(_ text: String, file: String, base: String) throws -> Manifest {
        var entries: [ManifestEntry] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            entries.append(entry(entries.count, trimmed, base: base, columns: [:]))
        }
        return Manifest(source: file, entries: entries)
    }

    /// RFC 4180 CSV with a header row; every column but the path column is carried as a string.
    static func csv(_ text: String, file: String, base: String, pathColumn: String) throws -> Manifest {
        let rows = try CSVParser.parse(text, file: file)
        guard let header = rows.first else { throw PipelineError.manifest(file: file, line: 1, message: "empty CSV (no header row)") }
        guard let pathIndex = header.fields.firstIndex(of: pathColumn) else {
            throw PipelineError.manifest(file: file, line: header.line, message: "no '\(pathColumn)' column in header \(header.fields)")
        }
        if let duplicate = Dictionary(grouping: header.fields, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw PipelineError.manifest(file: file, line: header.line, message: "duplicate column '\(duplicate)'")
        }
        var entries: [ManifestEntry] = []
        for row in rows.dropFirst() {
            if row.fields == [""] { continue }  // blank line
            guard row.fields.count == header.fields.count else {
                throw PipelineError.manifest(file: file, line: row.line, message: "\(row.fields.count) fields, header has \(header.fields.count)")
            }
            let path = row.fields[pathIndex]
            guard !path.isEmpty else { throw PipelineError.manifest(file: file, line: row.line, message: "empty '\(pathColumn)'") }
            var columns: [String: JSONValue] = [:]
            for (name, value) in zip(header.fields, row.fields) where name != pathColumn { columns[name] = .string(value) }
            entries.append(entry(entries.count, path, base: base, columns: columns))
        }
        return Manifest(source: file, entries: entries)
    }

    /// One JSON object per line with a string path field; other fields keep their JSON types.
    static func jsonl(_ text: String, file: String, base: String, pathColumn: String) throws -> Manifest {
        var entries: [ManifestEntry] = []
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let value: JSONValue
            do { value = try JSONValue.parse(Array(trimmed.utf8)) } catch {
                throw PipelineError.manifest(file: file, line: offset + 1, message: "not valid JSON")
            }
            guard case .object(var columns) = value else {
                throw PipelineError.manifest(file: file, line: offset + 1, message: "expected a JSON object")
            }
            guard case .string(let path)? = columns.removeValue(forKey: pathColumn), !path.isEmpty else {
                throw PipelineError.manifest(file: file, line: offset + 1, message: "no string '\(pathColumn)' field")
            }
            entries.append(entry(entries.count, path, base: base, columns: columns))
        }
        return Manifest(source: file, entries: entries)
    }

    /// Every file below `root` whose extension is in `extensions` (case-insensitive), sorted by relative
    /// path so the order never depends on the file system.
    static func directory(_ root: String, extensions: [String]) throws -> Manifest {
        let wanted = Set(extensions.map { $0.lowercased() })
        guard let enumerator = FileManager.default.enumerator(atPath: root) else {
            throw PipelineError.manifest(file: root, line: 0, message: "cannot list directory")
        }
        var relative: [String] = []
        while let item = enumerator.nextObject() as? String {
            let ext = URL(fileURLWithPath: item).pathExtension.lowercased()
            guard wanted.contains(ext) else { continue }
            var isDirectory: ObjCBool = false
            let full = (root as NSString).appendingPathComponent(item)
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                relative.append(item)
            }
        }
        relative.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let entries = relative.enumerated().map { offset, item in
            let path = (root as NSString).appendingPathComponent(item)
            return ManifestEntry(index: offset, path: path, resolvedPath: path, columns: ["relative_path": .string(item)])
        }
        return Manifest(source: root, entries: entries)
    }

    private static func entry(_ index: Int, _ path: String, base: String, columns: [String: JSONValue]) -> ManifestEntry {
        let isAbsolute = path.hasPrefix("/") || path.contains("://")
        let resolved = isAbsolute ? path : (base as NSString).appendingPathComponent(path)
        return ManifestEntry(index: index, path: path, resolvedPath: resolved, columns: columns)
    }
}

/// RFC 4180 CSV: quoted fields may hold commas, newlines and doubled quotes; CRLF or LF line ends.
enum CSVParser {
    struct Row: Equatable {
        var line: Int
        var fields: [String]
    }

    static func parse(_ text: String, file: String) throws -> [Row] {
        var rows: [Row] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var line = 1
        var rowLine = 1
        let bytes = Array(text.utf8)
        var i = 0
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        while i < bytes.count {
            let c = bytes[i]
            if inQuotes {
                if c == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\"") { field.append(c); i += 1 }
                    else { inQuotes = false }
                } else {
                    if c == UInt8(ascii: "\n") { line += 1 }
                    field.append(c)
                }
            } else if c == UInt8(ascii: "\"") {
                guard field.isEmpty else {
                    throw PipelineError.manifest(file: file, line: line, message: "quote inside an unquoted field")
                }
                inQuotes = true
            } else if c == UInt8(ascii: ",") {
                endField()
            } else if c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") {
                if c == UInt8(ascii: "\r"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\n") { i += 1 }
                endField()
                rows.append(Row(line: rowLine, fields: fields))
                fields.removeAll()
                line += 1
                rowLine = line
            } else {
                field.append(c)
            }
            i += 1
        }
        if inQuotes { throw PipelineError.manifest(file: file, line: rowLine, message: "unterminated quoted field") }
        if !field.isEmpty || !fields.isEmpty {
            endField()
            rows.append(Row(line: rowLine, fields: fields))
        }
        return rows
    }
}
