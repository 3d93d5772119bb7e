import Foundation

/// Shard lists written the way WebDataset (braceexpand) writes them: `shards/{00000..00099}.tar` is a
/// numeric range that keeps the zero padding of its bounds, `{train,val}` a list of alternatives, and
/// several groups multiply out left to right. `::` or whitespace separates several patterns.
public enum ShardPattern {
    /// Every path `pattern` names, in order.
    public static func expand(_ pattern: String) throws(TrainingError) -> [String] {
        let parts = pattern.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
            .flatMap { $0.components(separatedBy: "::") }
            .filter { !$0.isEmpty }
        var result: [String] = []
        for part in parts { result += try expandOne(Substring(part), whole: pattern) }
        guard !result.isEmpty else { throw .invalidPattern(pattern, "names no shards") }
        return result
    }

    private static func expandOne(_ text: Substring, whole: String) throws(TrainingError) -> [String] {
        guard let open = text.firstIndex(of: "{") else {
            guard !text.contains("}") else { throw .invalidPattern(whole, "'}' without '{'") }
            return [String(text)]
        }
        // The matching close brace (groups may nest inside a list).
        var depth = 0
        var close: Substring.Index?
        for index in text[open...].indices {
            if text[index] == "{" { depth += 1 }
            if text[index] == "}" { depth -= 1; if depth == 0 { close = index; break } }
        }
        guard let close else { throw .invalidPattern(whole, "'{' without '}'") }
        let head = String(text[..<open])
        let body = text[text.index(after: open)..<close]
        let tails = try expandOne(text[text.index(after: close)...], whole: whole)
        var middles: [String] = []
        for choice in try alternatives(body, whole: whole) {
            middles += try expandOne(Substring(choice), whole: whole)
        }
        var out: [String] = []
        out.reserveCapacity(middles.count * tails.count)
        for middle in middles { for tail in tails { out.append(head + middle + tail) } }
        return out
    }

    /// The contents of one `{...}`: a range `a..b` (numeric, optionally `..step`) or a comma list.
    private static func alternatives(_ body: Substring, whole: String) throws(TrainingError) -> [String] {
        if !body.contains(","), let range = try numericRange(body, whole: whole) { return range }
        var pieces: [String] = []
        var depth = 0
        var current = ""
        for character in body {
            if character == "{" { depth += 1 }
            if character == "}" { depth -= 1 }
            if character == ",", depth == 0 { pieces.append(current); current = ""; continue }
            current.append(character)
        }
        pieces.append(current)
        guard pieces.count > 1 else { throw .invalidPattern(whole, "'{\(body)}' is neither a range a..b nor a list a,b") }
        return pieces
    }

    /// `00003..00010` keeps the width of the wider bound when either bound is zero padded.
    private static func numericRange(_ body: Substring, whole: String) throws(TrainingError) -> [String]? {
        let bounds = body.components(separatedBy: "..")
        guard bounds.count == 2 || bounds.count == 3, let first = Int(bounds[0]), let last = Int(bounds[1]),
              first >= 0, last >= 0 else { return nil }
        let step = bounds.count == 3 ? Int(bounds[2]) ?? 0 : 1
        guard step > 0 else { throw .invalidPattern(whole, "range step in '{\(body)}' must be a positive integer") }
        let count = abs(last - first) / step + 1
        guard count <= 10_000_000 else { throw .invalidPattern(whole, "range '{\(body)}' names \(count) shards") }
        let padded = bounds[0].hasPrefix("0") && bounds[0].count > 1 || bounds[1].hasPrefix("0") && bounds[1].count > 1
        let width = padded ? max(bounds[0].count, bounds[1].count) : 0
        let values = first <= last ? Array(stride(from: first, through: last, by: step))
            : Array(stride(from: first, through: last, by: -step))
        return values.map { value in
            let digits = String(value)
            return digits.count < width ? String(repeating: "0", count: width - digits.count) + digits : digits
        }
    }
}
