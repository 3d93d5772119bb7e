import Yams

/// A YAML node with its position and dotted key path, so every validation error can name the spec's line,
/// column and key. Mappings are read through `SpecMapping`, which rejects keys nobody asked for.
public struct SpecNode {
    let node: Node
    /// Dotted path from the document root, e.g. `stages[1].frames.sampler`.
    public let path: String
    let file: String

    init(_ node: Node, path: String, file: String) {
        self.node = node
        self.path = path
        self.file = file
    }

    public var line: Int { node.mark?.line ?? 0 }
    public var column: Int { node.mark?.column ?? 0 }

    /// An error located at this node.
    public func error(_ message: String) -> PipelineError {
        .spec(file: file, line: line, column: column, key: path, message: message)
    }

    private var scalar: Node.Scalar? {
        if case .scalar(let scalar) = node { return scalar }
        return nil
    }

    private var kind: String {
        switch node {
        case .scalar(let scalar): return scalar.string.isEmpty ? "an empty value" : "'\(scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    public func string() throws -> String {
        // Only scalars that resolve to strings: `format: 5` or `format: true` is a type error, not "5".
        guard let scalar, node.tag.rawValue == Tag.Name.str.rawValue else {
            throw error("expected a string, found \(kind)")
        }
        return scalar.string
    }

    public func int() throws -> Int {
        guard scalar != nil, let value = node.int else { throw error("expected an integer, found \(kind)") }
        return value
    }

    public func double() throws -> Double {
        guard scalar != nil, let value = node.float, value.isFinite else { throw error("expected a number, found \(kind)") }
        return value
    }

    public func bool() throws -> Bool {
        guard scalar != nil, let value = node.bool else { throw error("expected true or false, found \(kind)") }
        return value
    }

    public func positiveInt() throws -> Int {
        let value = try int()
        guard value > 0 else { throw error("must be positive, found \(value)") }
        return value
    }

    public func positiveDouble() throws -> Double {
        let value = try double()
        guard value > 0 else { throw error("must be positive, found \(value)") }
        return value
    }

    /// One of `choices`; the error lists them.
    public func choice(_ choices: [String]) throws -> String {
        let value = try string()
        guard choices.contains(value) else {
            throw error("'\(value)' is not one of \(choices.joined(separator: ", "))")
        }
        return value
    }

    public func list() throws -> [SpecNode] {
        guard case .sequence(let sequence) = node else { throw error("expected a list, found \(kind)") }
        return sequence.enumerated().map { SpecNode($0.element, path: "\(path)[\($0.offset)]", file: file) }
    }

    public func mapping() throws -> SpecMapping {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping, found \(kind)") }
        return try SpecMapping(mapping, owner: self)
    }

    /// True for `key:` with nothing after it (YAML null) or `{}`.
    public var isEmpty: Bool {
        switch node {
        case .scalar(let scalar): return node.null != nil || scalar.string.isEmpty
        case .mapping(let mapping): return mapping.isEmpty
        default: return false
        }
    }

    /// True for the string scalar `word` (a keyword such as `none` where a number is also allowed).
    public func isScalar(_ word: String) -> Bool {
        guard let scalar, node.tag.rawValue == Tag.Name.str.rawValue else { return false }
        return scalar.string == word
    }

    /// True for a mapping node (for parameters that take a scalar or a mapping).
    public var isMapping: Bool {
        if case .mapping = node { return true }
        return false
    }
}

/// A YAML mapping being consumed key by key. `finish()` rejects every key that no reader asked for, with
/// the closest known key as a hint.
public final class SpecMapping {
    public let owner: SpecNode
    private var entries: [(key: String, keyNode: SpecNode, value: SpecNode)] = []
    private var asked: Set<String> = []

    init(_ mapping: Node.Mapping, owner: SpecNode) throws {
        self.owner = owner
        var seen: Set<String> = []
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                throw SpecNode(keyNode, path: owner.path, file: owner.file).error("mapping keys must be plain strings")
            }
            let key = scalar.string
            let childPath = owner.path.isEmpty ? key : "\(owner.path).\(key)"
            let keySpec = SpecNode(keyNode, path: childPath, file: owner.file)
            guard seen.insert(key).inserted else { throw keySpec.error("duplicate key") }
            entries.append((key, keySpec, SpecNode(valueNode, path: childPath, file: owner.file)))
        }
    }

    public var keys: [String] { entries.map(\.key) }
    public var count: Int { entries.count }

    /// The value of `key`, or nil when absent; marks the key as known.
    public func optional(_ key: String) -> SpecNode? {
        asked.insert(key)
        return entries.first { $0.key == key }?.value
    }

    public func required(_ key: String) throws -> SpecNode {
        guard let value = optional(key) else { throw owner.error("missing required key '\(key)'") }
        return value
    }

    /// The node of `key` itself (its position), for errors about the key rather than its value.
    public func keyNode(_ key: String) -> SpecNode? {
        entries.first { $0.key == key }?.keyNode
    }

    /// Throws for the first key nobody asked for, naming the keys that are allowed.
    public func finish() throws {
        for entry in entries where !asked.contains(entry.key) {
            let allowed = asked.sorted()
            var message = "unknown key '\(entry.key)'"
            if let hint = closest(to: entry.key, in: allowed) { message += " (did you mean '\(hint)'?)" }
            message += allowed.isEmpty ? "; no keys are allowed here" : "; allowed: \(allowed.joined(separator: ", "))"
            throw entry.keyNode.error(message)
        }
    }

    /// Exactly one key: for tagged unions like `{uniform: 8}` or a stage `{frames: {...}}`.
    public func single() throws -> (key: String, keyNode: SpecNode, value: SpecNode) {
        guard entries.count == 1, let entry = entries.first else {
            throw owner.error("expected exactly one key, found \(entries.count)")
        }
        asked.insert(entry.key)
        return entry
    }
}

/// The candidate within edit distance 2 of `word`, if any: turns typos into "did you mean" hints.
func closest(to word: String, in candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
    let chars = Array(word)
    let scored = candidates.map { ($0, distance(chars, Array($0))) }.filter { $0.1 <= 2 }
    return scored.min { $0.1 < $1.1 }?.0
}
