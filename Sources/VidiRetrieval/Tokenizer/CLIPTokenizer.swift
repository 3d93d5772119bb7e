// CLIP's byte-level BPE tokenizer: openai/CLIP `clip/simple_tokenizer.py` (`SimpleTokenizer`) and
// `clip/clip.py` (`tokenize`): ftfy-style fixing, HTML unescaped twice, whitespace collapsed, lower-cased,
// split by CLIP's pattern, UTF-8 bytes mapped through GPT-2's byte-to-unicode table, BPE with the first
// 48,894 merges of `bpe_simple_vocab_16e6.txt.gz`; ids 49406 / 49407 for start / end of text.
import Foundation

public final class CLIPTokenizer: @unchecked Sendable {
    // @unchecked: the BPE cache is guarded by `lock`; everything else is immutable after init.
    public static let startOfText: Int32 = 49406
    public static let endOfText: Int32 = 49407
    public static let contextLength = 77

    let encoder: [String: Int32]
    let ranks: [String: Int]          // "first second" → merge rank
    let byteSymbols: [String]         // byte → its unicode stand-in
    let fixer: TextFixer
    let html: HTMLUnescaper
    private var cache: [String: [Int32]] = [:]
    private let lock = NSLock()

    /// The vocabulary bundled with VidiRetrieval (copied from a public package by
    /// `Tools/retrieval/fetch_clip_vocab.py`), or `vocabularyPath` (a `bpe_simple_vocab_16e6.txt.gz`).
    public convenience init(vocabularyPath: String? = nil) throws {
        let path = vocabularyPath ?? ProcessInfo.processInfo.environment["VIDI_CLIP_VOCAB"]
            ?? Bundle.module.path(forResource: "bpe_simple_vocab_16e6.txt", ofType: "gz", inDirectory: "Resources")
        guard let path, let data = FileManager.default.contents(atPath: path) else {
            throw RetrievalError.invalidArgument("cannot read CLIP's BPE vocabulary at \(vocabularyPath ?? "the bundled resource")")
        }
        guard let entitiesPath = Bundle.module.path(forResource: "html5_entities", ofType: "tsv", inDirectory: "Resources"),
              let entities = FileManager.default.contents(atPath: entitiesPath) else {
            throw RetrievalError.invalidArgument("cannot read the bundled HTML entity table")
        }
        let text = path.hasSuffix(".gz") ? try Gzip.decompress([UInt8](data)) : [UInt8](data)
        try self.init(merges: String(decoding: text, as: UTF8.self), htmlEntities: String(decoding: entities, as: UTF8.self))
    }

    /// `merges`: the vocabulary file's text (a version line, then one merge per line).
    public init(merges: String, htmlEntities: String) throws {
        let lines = merges.split(separator: "\n", omittingEmptySubsequences: false)
        let mergeCount = 49152 - 256 - 2
        guard lines.count > mergeCount else {
            throw RetrievalError.invalidArgument("the BPE vocabulary has \(lines.count - 1) merges, CLIP needs \(mergeCount)")
        }
        let byteSymbols = CLIPTokenizer.bytesToUnicode()
        var vocabulary = CLIPTokenizer.byteOrder().map { byteSymbols[Int($0)] }
        vocabulary += vocabulary.map { $0 + "</w>" }
        var ranks: [String: Int] = [:]
        for (rank, line) in lines[1...mergeCount].enumerated() {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { throw RetrievalError.invalidArgument("BPE merge line \(rank + 2) is not two symbols: \(line)") }
            let first = String(parts[0]), second = String(parts[1])
            ranks[first + " " + second] = rank                    // later wins, as dict(zip(merges, range))
            vocabulary.append(first + second)
        }
        vocabulary += ["<|startoftext|>", "<|endoftext|>"]
        var encoder: [String: Int32] = [:]
        for (id, symbol) in vocabulary.enumerated() { encoder[symbol] = Int32(id) }   // later wins, as dict(zip())
        self.encoder = encoder
        self.ranks = ranks
        self.byteSymbols = byteSymbols
        html = HTMLUnescaper(table: htmlEntities)
        fixer = TextFixer(html: html)
    }

    public var vocabularySize: Int { encoder.count }

    /// GPT-2's `bytes_to_unicode` order: printable Latin-1 bytes first, then the rest.
    static func byteOrder() -> [UInt8] {
        var bs = Array(33...126) + Array(161...172) + Array(174...255)
        for b in 0..<256 where !bs.contains(b) { bs.append(b) }
        return bs.map(UInt8.init)
    }

    /// Byte → the printable character standing for it.
    static func bytesToUnicode() -> [String] {
        var table = [String](repeating: "", count: 256)
        var n = 0
        let printable = Set(Array(33...126) + Array(161...172) + Array(174...255))
        for b in 0..<256 {
            let code = printable.contains(b) ? b : 256 + n
            if !printable.contains(b) { n += 1 }
            table[b] = String(Character(Unicode.Scalar(UInt32(code))!))
        }
        return table
    }

    /// `whitespace_clean(basic_clean(text)).lower()`.
    public func clean(_ text: String) -> String {
        var t = fixer.fix(text)
        t = html.unescape(html.unescape(t))
        t = t.trimmingCharacters(in: .whitespacesAndNewlines)
        var out = ""
        var inSpace = false
        for s in t.unicodeScalars {
            if CLIPTokenizer.isSpace(s) { if !inSpace { out.append(" ") }; inSpace = true } else { out.unicodeScalars.append(s); inSpace = false }
        }
        return out.trimmingCharacters(in: .whitespaces).lowercased()
    }

    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        s.properties.isWhitespace || (0x1C...0x1F).contains(s.value)
    }
    static func isLetter(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }
    static func isNumber(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// CLIP's split: `<|startoftext|>|<|endoftext|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`.
    static func split(_ text: String) -> [String] {
        let s = Array(text.unicodeScalars)
        var pieces: [String] = []
        var i = 0
        func matches(_ literal: String, at k: Int) -> Bool {
            let l = Array(literal.unicodeScalars)
            guard k + l.count <= s.count else { return false }
            for (o, c) in l.enumerated() where s[k + o].properties.lowercaseMapping != String(c) { return false }
            return true
        }
        func take(_ n: Int) { pieces.append(String(String.UnicodeScalarView(s[i..<(i + n)]))); i += n }
        while i < s.count {
            if isSpace(s[i]) { i += 1; continue }
            if let special = ["<|startoftext|>", "<|endoftext|>"].first(where: { matches($0, at: i) }) {
                take(special.unicodeScalars.count); continue
            }
            if s[i] == "'", let c = ["s", "t", "re", "ve", "m", "ll", "d"].first(where: { matches("'" + $0, at: i) }) {
                take(1 + c.count); continue
            }
            var j = i
            if isLetter(s[i]) {
                while j < s.count, isLetter(s[j]) { j += 1 }
            } else if isNumber(s[i]) {
                j = i + 1
            } else {
                while j < s.count, !isSpace(s[j]), !isLetter(s[j]), !isNumber(s[j]) { j += 1 }
            }
            take(j - i)
        }
        return pieces
    }

    /// BPE of one piece (already byte-mapped) into vocabulary ids.
    func bpe(_ token: String) throws -> [Int32] {
        lock.lock()
        if let hit = cache[token] { lock.unlock(); return hit }
        lock.unlock()
        // Byte-mapped characters are single scalars (a Character could merge several).
        var word = token.unicodeScalars.map { String(Character($0)) }
        guard !word.isEmpty else { return [] }
        word[word.count - 1] += "</w>"
        while word.count > 1 {
            var best: (rank: Int, index: Int)? = nil
            for k in 0..<(word.count - 1) {
                if let r = ranks[word[k] + " " + word[k + 1]], r < (best?.rank ?? .max) { best = (r, k) }
            }
            guard let best else { break }
            let first = word[best.index], second = word[best.index + 1]
            var merged: [String] = []
            var k = 0
            while k < word.count {
                if k < word.count - 1, word[k] == first, word[k + 1] == second {
                    merged.append(first + second); k += 2
                } else {
                    merged.append(word[k]); k += 1
                }
            }
            word = merged
        }
        let ids = try word.map { symbol -> Int32 in
            guard let id = encoder[symbol] else { throw RetrievalError.invalidArgument("BPE symbol \(symbol) is not in the vocabulary") }
            return id
        }
        lock.lock(); cache[token] = ids; lock.unlock()
        return ids
    }

    /// `SimpleTokenizer.encode`: the ids of a text without start / end tokens.
    public func encode(_ text: String) throws -> [Int32] {
        var ids: [Int32] = []
        for piece in CLIPTokenizer.split(clean(text)) {
            if piece == "<|startoftext|>" { ids.append(CLIPTokenizer.startOfText); continue }
            if piece == "<|endoftext|>" { ids.append(CLIPTokenizer.endOfText); continue }
            let mapped = piece.utf8.map { byteSymbols[Int($0)] }.joined()
            ids += try bpe(mapped)
        }
        return ids
    }

    /// `clip.tokenize(text, truncate=True)` without the zero padding: start, tokens, end; longer than
    /// `contextLength` is cut with the end token kept last.
    public func tokenize(_ text: String, contextLength: Int = CLIPTokenizer.contextLength) throws -> [Int32] {
        guard contextLength >= 2 else { throw RetrievalError.invalidArgument("context length \(contextLength) leaves no room for start and end tokens") }
        var ids = [CLIPTokenizer.startOfText] + (try encode(text)) + [CLIPTokenizer.endOfText]
        if ids.count > contextLength {
            ids = Array(ids.prefix(contextLength))
            ids[contextLength - 1] = CLIPTokenizer.endOfText
        }
        return ids
    }
}
