import Foundation

/// Writes `OrderedJSON` as compact UTF-8 text, numbers in the shortest form that reads back exactly.
enum JSONWriting {
    static func text(_ value: OrderedJSON, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let x):
            if x.isNaN { out += "NaN" }
            else if x.isInfinite { out += x > 0 ? "Infinity" : "-Infinity" }
            else if x == x.rounded(), abs(x) < 1e15 { out += String(Int64(x)) }
            else { out += "\(x)" }
        case .string(let s): escape(s, into: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() { if i > 0 { out += ", " }; text(item, into: &out) }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, member) in members.enumerated() {
                if i > 0 { out += ", " }
                escape(member.key, into: &out)
                out += ": "
                text(member.value, into: &out)
            }
            out += "}"
        }
    }

    static func escape(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
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
        out += "\""
    }

    static func string(_ value: OrderedJSON) -> String {
        var out = ""
        text(value, into: &out)
        return out
    }

    /// Writes atomically (a temporary file renamed over the target).
    static func write(_ value: OrderedJSON, to path: String) throws(LocalizationError) {
        let data = Data((string(value) + "\n").utf8)
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) }
        catch { throw .io(path: path, reason: "cannot write: \(error.localizedDescription)") }
    }
}

extension OrderedJSON {
    /// Compact JSON text (numbers shortest round-trip).
    public static func compactText(_ value: OrderedJSON) -> String { JSONWriting.string(value) }
}
