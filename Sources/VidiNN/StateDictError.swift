import VidiTensor

/// Why a state dict could not be loaded into a module. Every problem found is listed in one error, as
/// PyTorch's `load_state_dict` does, so a bad checkpoint is fixed in one round.
public struct StateDictError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A key whose tensor does not have the shape the module expects.
    public struct ShapeMismatch: Equatable, Sendable {
        public var key: String
        public var expected: [Int]
        public var actual: [Int]

        public init(key: String, expected: [Int], actual: [Int]) {
            self.key = key
            self.expected = expected
            self.actual = actual
        }
    }

    /// The checkpoint file, when loading from one.
    public var path: String?
    /// Keys the module has and the state dict lacks (reported when strict).
    public var missingKeys: [String]
    /// Keys the state dict has and the module lacks (reported when strict).
    public var unexpectedKeys: [String]
    /// Keys present on both sides with different shapes (always reported).
    public var shapeMismatches: [ShapeMismatch]
    /// Keys whose dtype cannot be converted to the module's (a bool tensor for a float weight).
    public var dtypeMismatches: [String]

    public init(path: String? = nil, missingKeys: [String] = [], unexpectedKeys: [String] = [],
                shapeMismatches: [ShapeMismatch] = [], dtypeMismatches: [String] = []) {
        self.path = path
        self.missingKeys = missingKeys
        self.unexpectedKeys = unexpectedKeys
        self.shapeMismatches = shapeMismatches
        self.dtypeMismatches = dtypeMismatches
    }

    public var isEmpty: Bool {
        missingKeys.isEmpty && unexpectedKeys.isEmpty && shapeMismatches.isEmpty && dtypeMismatches.isEmpty
    }

    public var description: String {
        var lines = ["cannot load state dict\(path.map { " from \($0)" } ?? ""):"]
        if !missingKeys.isEmpty { lines.append("  missing keys: \(missingKeys.joined(separator: ", "))") }
        if !unexpectedKeys.isEmpty { lines.append("  unexpected keys: \(unexpectedKeys.joined(separator: ", "))") }
        for mismatch in shapeMismatches {
            lines.append("  size mismatch for \(mismatch.key): checkpoint has \(mismatch.actual), module expects \(mismatch.expected)")
        }
        if !dtypeMismatches.isEmpty { lines.append("  unconvertible dtypes: \(dtypeMismatches.joined(separator: ", "))") }
        return lines.joined(separator: "\n")
    }
}
