/// One output file of a sample: `name` is the part after the key (`json`, `frames.npy`, `mvs.0003.npy`).
public struct SampleFile: Sendable, Equatable {
    public var name: String
    public var bytes: [UInt8]

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    /// Lower-case letters, digits, `_`, `-` and inner dots: safe in tar headers and on every file system.
    static func isValidName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 80, name.first != ".", name.last != "." else { return false }
        return name.utf8.allSatisfy { c in
            (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2D || c == 0x2E
        }
    }
}

/// Everything a pipeline wrote for one video; the files share `key` (WebDataset's grouping rule).
public struct Sample: Sendable, Equatable {
    public var key: String
    public var files: [SampleFile]
}
