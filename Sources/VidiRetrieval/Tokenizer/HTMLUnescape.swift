/// `html.unescape` from Python's standard library (CLIP's tokenizer calls it twice), and the stricter form
/// ftfy's `unescape_html` uses (only `&...;` with the semicolon).
struct HTMLUnescaper: Sendable {
    /// `html.entities.html5`: names (with `;`, and legacy ones also without) → replacement text.
    let entities: [String: String]
    let longestName: Int

    init(table: String) {
        var entities: [String: String] = [:]
        for line in table.split(separator: "\n") {
            let parts = line.split(separator: "\t")
            guard parts.count == 2 else { continue }
            let scalars = parts[1].split(separator: " ").compactMap { UInt32($0, radix: 16).flatMap(Unicode.Scalar.init) }
            var value = ""
            value.unicodeScalars.append(contentsOf: scalars)
            entities[String(parts[0])] = value
        }
        self.entities = entities
        longestName = entities.keys.map(\.count).max() ?? 32
    }

    /// Windows-1252 meanings of the numeric references 0x80–0x9F, as Python's `_invalid_charrefs`.
    static let cp1252: [UInt32: UInt32] = [
        0x80: 0x20AC, 0x82: 0x201A, 0x83: 0x0192, 0x84: 0x201E, 0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021,
        0x88: 0x02C6, 0x89: 0x2030, 0x8A: 0x0160, 0x8B: 0x2039, 0x8C: 0x0152, 0x8E: 0x017D, 0x91: 0x2018,
        0x92: 0x2019, 0x93: 0x201C, 0x94: 0x201D, 0x95: 0x2022, 0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02DC,
        0x99: 0x2122, 0x9A: 0x0161, 0x9B: 0x203A, 0x9C: 0x0153, 0x9E: 0x017E, 0x9F: 0x0178,
    ]

    static func numericReplacement(_ value: UInt64?) -> String {
        guard let value, value <= 0x10FFFF else { return "\u{FFFD}" }
        let v = UInt32(value)
        if v == 0 { return "\u{FFFD}" }
        if v == 0x0D { return "\r" }
        if let mapped = cp1252[v], let s = Unicode.Scalar(mapped) { return String(Character(s)) }
        if (0x80...0x9F).contains(v) { return String(Character(Unicode.Scalar(v)!)) }
        if (0xD800...0xDFFF).contains(v) { return "\u{FFFD}" }
        let invalid = (0x1...0x8).contains(v) || (0xE...0x1F).contains(v) || (0x7F...0x9F).contains(v)
            || (0xFDD0...0xFDEF).contains(v) || v == 0xB || (v & 0xFFFE) == 0xFFFE
        if invalid { return "" }
        return Unicode.Scalar(v).map { String(Character($0)) } ?? "\u{FFFD}"
    }

    /// Python's `html.unescape`; with `requireSemicolon`, ftfy's variant (references must end in `;`).
    func unescape(_ text: String, requireSemicolon: Bool = false) -> String {
        let s = Array(text.unicodeScalars)
        guard s.contains("&") else { return text }
        var out = String.UnicodeScalarView()
        var i = 0
        func isHex(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) || ("a"..."f").contains(c) || ("A"..."F").contains(c) }
        func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
        while i < s.count {
            guard s[i] == "&" else { out.append(s[i]); i += 1; continue }
            var j = i + 1
            if j < s.count, s[j] == "#" {
                // &#123; or &#x1F;
                var k = j + 1
                let hex = k < s.count && (s[k] == "x" || s[k] == "X")
                if hex { k += 1 }
                let start = k
                while k < s.count, hex ? isHex(s[k]) : isDigit(s[k]) { k += 1 }
                if k > start {
                    let hasSemicolon = k < s.count && s[k] == ";"
                    if requireSemicolon && !hasSemicolon { out.append(s[i]); i += 1; continue }
                    let digits = String(String.UnicodeScalarView(s[start..<k]))
                    let value = digits.count > 8 ? nil : UInt64(digits, radix: hex ? 16 : 10)
                    out.append(contentsOf: HTMLUnescaper.numericReplacement(value).unicodeScalars)
                    i = hasSemicolon ? k + 1 : k
                    continue
                }
                out.append(s[i]); i += 1; continue
            }
            // Named: [^\t\n\f <&#;]{1,32};?
            while j < s.count, j - (i + 1) < 32, !["\t", "\n", "\u{0C}", " ", "<", "&", "#", ";"].contains(s[j]) { j += 1 }
            guard j > i + 1 else { out.append(s[i]); i += 1; continue }
            let hasSemicolon = j < s.count && s[j] == ";"
            let name = String(String.UnicodeScalarView(s[(i + 1)..<j])) + (hasSemicolon ? ";" : "")
            let end = hasSemicolon ? j + 1 : j
            if requireSemicolon {
                if hasSemicolon, let v = entities[name] ?? entities[name.lowercased()] {
                    out.append(contentsOf: v.unicodeScalars); i = end
                } else { out.append(s[i]); i += 1 }
                continue
            }
            if let v = entities[name] {
                out.append(contentsOf: v.unicodeScalars); i = end; continue
            }
            // The longest known prefix (legacy names without `;`), the rest kept.
            let nameScalars = Array(name.unicodeScalars)
            var matched = false
            var x = nameScalars.count - 1
            while x > 1 {
                let prefix = String(String.UnicodeScalarView(nameScalars[0..<x]))
                if let v = entities[prefix] {
                    out.append(contentsOf: v.unicodeScalars)
                    out.append(contentsOf: nameScalars[x...])
                    matched = true
                    break
                }
                x -= 1
            }
            if !matched { out.append(s[i]); out.append(contentsOf: nameScalars) }
            i = end
        }
        return String(out)
    }
}
