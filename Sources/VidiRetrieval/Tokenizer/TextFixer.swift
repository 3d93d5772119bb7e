import Foundation

/// The parts of ftfy's `fix_text` (ftfy 6, default configuration) that change what CLIP's tokenizer sees,
/// applied per line until nothing changes, in ftfy's order: HTML entities (only in lines without `<`),
/// mojibake (UTF-8 read as Windows-1252 / Latin-1, whole runs or embedded sequences), C1 controls,
/// Latin ligatures, full/half-width forms, curly quotes, line breaks, terminal escapes, control
/// characters, NFC. ftfy's badness heuristics are not reproduced: a run of characters whose Windows-1252
/// bytes form valid multi-byte UTF-8 is decoded.
struct TextFixer: Sendable {
    let html: HTMLUnescaper

    func fix(_ text: String) -> String {
        var segments: [String] = []
        var current = ""
        for ch in text {
            current.append(ch)
            if ch == "\n" { segments.append(current); current = "" }
        }
        if !current.isEmpty || segments.isEmpty { segments.append(current) }
        return segments.map(fixSegment).joined()
    }

    func fixSegment(_ segment: String) -> String {
        let unescape = !segment.contains("<")
        var text = segment
        for _ in 0..<16 {
            let original = text
            if unescape { text = html.unescape(text, requireSemicolon: true) }
            text = TextFixer.fixMojibake(text)
            text = TextFixer.removeTerminalEscapes(text)   // before the control characters go
            text = TextFixer.mapScalars(text)
            text = text.precomposedStringWithCanonicalMapping
            if text == original { break }
        }
        return text
    }

    // MARK: Windows-1252

    static let cp1252High: [UInt32: UInt8] = {
        var map: [UInt32: UInt8] = [:]
        for (byte, scalar) in HTMLUnescaper.cp1252 { map[scalar] = UInt8(byte) }
        return map
    }()

    /// The byte "sloppy Windows-1252" encodes a scalar as (Latin-1 for the undefined 0x81/0x8D/...).
    static func sloppyByte(_ s: Unicode.Scalar) -> UInt8? {
        if s.value < 0x100 { return UInt8(s.value) }
        return cp1252High[s.value]
    }

    /// Runs of characters whose sloppy-1252 bytes are valid UTF-8 multi-byte sequences, decoded.
    static func fixMojibake(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        guard scalars.contains(where: { $0.value >= 0x80 }) else { return text }
        var out = String.UnicodeScalarView()
        var i = 0
        func byte(_ k: Int) -> UInt8? { k < scalars.count ? sloppyByte(scalars[k]) : nil }
        func isContinuation(_ k: Int) -> Bool { byte(k).map { $0 & 0xC0 == 0x80 } ?? false }
        while i < scalars.count {
            if let lead = byte(i), lead >= 0xC2, lead <= 0xF4 {
                let length = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
                if (1..<length).allSatisfy({ isContinuation(i + $0) }) {
                    let bytes = (0..<length).map { byte(i + $0)! }
                    if let decoded = String(validating: bytes, as: UTF8.self), let scalar = decoded.unicodeScalars.first,
                       decoded.unicodeScalars.count == 1 {
                        out.append(scalar)
                        i += length
                        continue
                    }
                }
            }
            out.append(scalars[i])
            i += 1
        }
        return String(out)
    }

    // MARK: Character maps

    static let ligatures: [UInt32: String] = [
        0x132: "IJ", 0x133: "ij", 0x149: "\u{2BC}n", 0x1F1: "DZ", 0x1F2: "Dz", 0x1F3: "dz", 0x1C4: "D\u{17D}",
        0x1C5: "D\u{17E}", 0x1C6: "d\u{17E}", 0x1C7: "LJ", 0x1C8: "Lj", 0x1C9: "lj", 0x1CA: "NJ", 0x1CB: "Nj",
        0x1CC: "nj", 0xFB00: "ff", 0xFB01: "fi", 0xFB02: "fl", 0xFB03: "ffi", 0xFB04: "ffl", 0xFB05: "\u{17F}t",
        0xFB06: "st",
    ]

    /// C1 controls as Windows-1252, ligatures, width forms (NFKC of U+FF01–U+FFEF, U+3000 → space),
    /// curly quotes, line breaks, and the removal of ftfy's control characters.
    static func mapScalars(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let s = scalars[i], v = s.value
            i += 1
            if (0x80...0x9F).contains(v), let mapped = HTMLUnescaper.cp1252[v], let m = Unicode.Scalar(mapped) {
                out.append(m); continue
            }
            if let lig = ligatures[v] { out.append(contentsOf: lig.unicodeScalars); continue }
            if v == 0x3000 { out.append(" "); continue }
            if (0xFF01..<0xFFF0).contains(v) {
                out.append(contentsOf: String(Character(s)).precomposedStringWithCompatibilityMapping.unicodeScalars); continue
            }
            if v == 0x2BC || (0x2018...0x201B).contains(v) { out.append("'"); continue }
            if (0x201C...0x201F).contains(v) { out.append("\""); continue }
            if v == 0x0D {                                   // \r\n and \r → \n
                if i < scalars.count, scalars[i] == "\n" { i += 1 }
                out.append("\n"); continue
            }
            if v == 0x2028 || v == 0x2029 || v == 0x85 { out.append("\n"); continue }
            let control = (0x00..<0x09).contains(v) || v == 0x0B || (0x0E..<0x20).contains(v) || v == 0x7F
                || (0x206A..<0x2070).contains(v) || v == 0xFEFF || (0xFFF9..<0xFFFD).contains(v)
            if control { continue }
            out.append(s)
        }
        return String(out)
    }

    /// ANSI terminal escapes `ESC [ ... letter`.
    static func removeTerminalEscapes(_ text: String) -> String {
        guard text.unicodeScalars.contains("\u{1B}") else { return text }
        let s = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < s.count {
            if s[i] == "\u{1B}", i + 1 < s.count, s[i + 1] == "[" {
                var j = i + 2
                while j < s.count, ("0"..."9").contains(s[j]) || s[j] == ";" { j += 1 }
                if j < s.count, s[j].properties.isAlphabetic, s[j].isASCII { i = j + 1; continue }
            }
            out.append(s[i]); i += 1
        }
        return String(out)
    }
}
