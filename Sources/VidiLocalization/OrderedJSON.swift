import Foundation

/// A parsed JSON value whose objects keep their keys in file order.
///
/// ActivityNet's evaluation breaks score ties by the order predictions appear in the file (Python's `json`
/// keeps key order), so the reader must too; Foundation's `JSONSerialization` does not.
public indirect enum OrderedJSON: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([OrderedJSON])
    case object([(key: String, value: OrderedJSON)])

    public static func == (a: OrderedJSON, b: OrderedJSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// The value under `key` of an object (the last one when a key repeats, as Python's `json` does).
    public subscript(key: String) -> OrderedJSON? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    public var number: Double? { if case .number(let x) = self { return x } else { return nil } }
    public var string: String? { if case .string(let s) = self { return s } else { return nil } }
    public var array: [OrderedJSON]? { if case .array(let a) = self { return a } else { return nil } }
    public var members: [(key: String, value: OrderedJSON)]? { if case .object(let m) = self { return m } else { return nil } }

    /// Reads and parses a file; `path` names the file in errors.
    public static func read(path: String) throws(LocalizationError) -> OrderedJSON {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .io(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
        }
        return try parse(Array(data), path: path)
    }

    /// Parses UTF-8 JSON text (RFC 8259; also Python's `NaN`, `Infinity`, `-Infinity`).
    public static func parse(_ bytes: [UInt8], path: String = "<json>") throws(LocalizationError) -> OrderedJSON {
        var parser = JSONParser(bytes: bytes, path: path)
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.index == bytes.count else { throw parser.fail("unexpected text after the value") }
        return value
    }
}

/// A recursive-descent JSON parser over bytes.
private struct JSONParser {
    let bytes: [UInt8]
    let path: String
    var index = 0

    init(bytes: [UInt8], path: String) { self.bytes = bytes; self.path = path }

    func fail(_ reason: String) -> LocalizationError { .malformedJSON(path: path, offset: index, reason: reason) }

    mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
    }

    mutating func expect(_ literal: String) throws(LocalizationError) {
        for byte in literal.utf8 {
            guard index < bytes.count, bytes[index] == byte else { throw fail("expected '\(literal)'") }
            index += 1
        }
    }

    mutating func value(depth: Int) throws(LocalizationError) -> OrderedJSON {
        guard depth < 512 else { throw fail("nested more than 512 levels") }
        skipSpace()
        guard index < bytes.count else { throw fail("unexpected end of text") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var members: [(key: String, value: OrderedJSON)] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                let key = try string()
                skipSpace()
                try expect(":")
                members.append((key, try value(depth: depth + 1)))
                skipSpace()
                guard index < bytes.count else { throw fail("unterminated object") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                throw fail("expected ',' or '}' in an object")
            }
        case UInt8(ascii: "["):
            index += 1
            var items: [OrderedJSON] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            while true {
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard index < bytes.count else { throw fail("unterminated array") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                throw fail("expected ',' or ']' in an array")
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "N"): try expect("NaN"); return .number(.nan)
        case UInt8(ascii: "I"): try expect("Infinity"); return .number(.infinity)
        default: return .number(try number())
        }
    }

    mutating func number() throws(LocalizationError) -> Double {
        let start = index
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "I") { try expect("Infinity"); return -.infinity }
        }
        while index < bytes.count, let c = Optional(bytes[index]),
              (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
                || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
            index += 1
        }
        // Swift's Double(String) rounds correctly, as Python's float() does.
        guard index > start, let text = String(bytes: bytes[start..<index], encoding: .utf8), let x = Double(text) else {
            index = start
            throw fail("expected a value")
        }
        return x
    }

    mutating func string() throws(LocalizationError) -> String {
        index += 1   // opening quote
        var out: [UInt8] = []
        while index < bytes.count {
            let c = bytes[index]
            index += 1
            if c == UInt8(ascii: "\"") {
                guard let s = String(bytes: out, encoding: .utf8) else { throw fail("string is not UTF-8") }
                return s
            }
            guard c == UInt8(ascii: "\\") else { out.append(c); continue }
            guard index < bytes.count else { break }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                    index += 2
                    let low = try hex4()
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8))
            default: throw fail("bad escape in a string")
            }
        }
        throw fail("unterminated string")
    }

    mutating func hex4() throws(LocalizationError) -> UInt32 {
        guard index + 4 <= bytes.count, let text = String(bytes: bytes[index..<index + 4], encoding: .ascii),
              let value = UInt32(text, radix: 16) else { throw fail("bad \\u escape") }
        index += 4
        return value
    }
}
