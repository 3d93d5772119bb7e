/// One tensor's description in a safetensors header.
public struct SafetensorsEntry: Sendable, Equatable {
    public var name: String
    public var dtype: SafetensorsDType
    public var shape: [Int]
    /// Byte range inside the data section (which starts right after the header).
    public var dataRange: Range<Int>

    public init(name: String, dtype: SafetensorsDType, shape: [Int], dataRange: Range<Int>) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.dataRange = dataRange
    }

    public var elementCount: Int { shape.reduce(1, *) }
}

/// The safetensors layout: an 8-byte little-endian header length N, N bytes of JSON
/// (`{"__metadata__": {...}, "<name>": {"dtype", "shape", "data_offsets"}, ...}`), then the data section.
/// Parsing applies the reference implementation's checks: offsets must tile the data section exactly,
/// in order, with each tensor's byte count equal to its shape times its dtype's size.
public struct SafetensorsHeader: Sendable, Equatable {
    /// Tensors in data-offset order.
    public var entries: [SafetensorsEntry]
    /// The free-form string map under `__metadata__`, if present.
    public var metadata: [String: String]?
    /// Byte offset of the data section from the start of the file (8 + header length).
    public var dataOffset: Int

    /// The reference rejects headers above 100 MB; a larger length field means a corrupt or hostile file.
    public static let maximumHeaderLength = 100_000_000

    public func entry(named name: String) -> SafetensorsEntry? {
        entries.first { $0.name == name }
    }

    /// Parses and validates the header of a complete safetensors file held in `file`.
    public static func parse(_ file: UnsafeRawBufferPointer) throws(TensorFileError) -> SafetensorsHeader {
        guard file.count >= 8 else {
            throw TensorFileError(.truncated, "file has \(file.count) bytes, fewer than the 8-byte header length")
        }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(file[i]) << (8 * UInt64(i)) }
        guard length <= UInt64(maximumHeaderLength) else {
            throw TensorFileError(.headerTooLarge, "header length \(length) exceeds the \(maximumHeaderLength)-byte limit")
        }
        let headerLength = Int(length)
        guard 8 + headerLength <= file.count else {
            throw TensorFileError(.truncated, "header of \(headerLength) bytes runs past the end of the file (\(file.count) bytes)")
        }
        let headerBytes = UnsafeRawBufferPointer(rebasing: file[8..<(8 + headerLength)])
        guard String(validating: headerBytes, as: UTF8.self) != nil else {
            throw TensorFileError(.invalidHeader, "header is not valid UTF-8")
        }
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw TensorFileError(.invalidHeader, "header does not start with '{'")
        }
        let json: SafetensorsJSON
        do {
            json = try SafetensorsJSON.parse(headerBytes)
        } catch {
            switch error {
            case .duplicateKey(let key):
                throw TensorFileError(.duplicateKey, key: key, "appears twice in the header")
            case .syntax(let why, let offset):
                throw TensorFileError(.invalidHeader, "header is not valid JSON: \(why) at byte \(offset)")
            }
        }
        guard case .object(let members) = json else {
            throw TensorFileError(.invalidHeader, "header is not a JSON object")
        }

        var metadata: [String: String]?
        var entries: [SafetensorsEntry] = []
        for (key, value) in members {
            if key == "__metadata__" {
                metadata = try parseMetadata(value)
            } else {
                entries.append(try parseEntry(name: key, value))
            }
        }
        let dataOffset = 8 + headerLength
        try validateLayout(entries: &entries, dataSize: file.count - dataOffset)
        return SafetensorsHeader(entries: entries, metadata: metadata, dataOffset: dataOffset)
    }

    private static func parseMetadata(_ value: SafetensorsJSON) throws(TensorFileError) -> [String: String] {
        guard case .object(let members) = value else {
            throw TensorFileError(.invalidEntry, key: "__metadata__", "must be an object of strings")
        }
        var metadata: [String: String] = [:]
        for (key, item) in members {
            guard case .string(let text) = item else {
                throw TensorFileError(.invalidEntry, key: "__metadata__", "value of '\(key)' is not a string")
            }
            metadata[key] = text
        }
        return metadata
    }

    private static func parseEntry(name: String, _ value: SafetensorsJSON) throws(TensorFileError) -> SafetensorsEntry {
        guard case .object(let fields) = value else {
            throw TensorFileError(.invalidEntry, key: name, "tensor description is not an object")
        }
        func field(_ field: String) throws(TensorFileError) -> SafetensorsJSON {
            guard let found = fields.first(where: { $0.key == field }) else {
                throw TensorFileError(.invalidEntry, key: name, "missing '\(field)'")
            }
            return found.value
        }
        func integers(_ field: String, _ value: SafetensorsJSON) throws(TensorFileError) -> [Int] {
            guard case .array(let items) = value else {
                throw TensorFileError(.invalidEntry, key: name, "'\(field)' is not an array")
            }
            var result: [Int] = []
            for item in items {
                guard let integer = item.nonNegativeInteger else {
                    throw TensorFileError(.invalidEntry, key: name, "'\(field)' holds \(item.serialized), not a non-negative integer")
                }
                result.append(integer)
            }
            return result
        }

        guard case .string(let dtypeName) = try field("dtype") else {
            throw TensorFileError(.invalidEntry, key: name, "'dtype' is not a string")
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw TensorFileError(.unknownDType, key: name, "unknown dtype '\(dtypeName)'")
        }
        let shape = try integers("shape", try field("shape"))
        let offsets = try integers("data_offsets", try field("data_offsets"))
        guard offsets.count == 2 else {
            throw TensorFileError(.invalidEntry, key: name, "'data_offsets' has \(offsets.count) values, not 2")
        }
        guard offsets[0] <= offsets[1] else {
            throw TensorFileError(.badOffsets, key: name, "data_offsets [\(offsets[0]), \(offsets[1])] end before they begin")
        }
        var byteCount = dtype.itemSize
        for dim in shape {
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw TensorFileError(.invalidEntry, key: name, "shape \(shape) overflows") }
            byteCount = product
        }
        guard byteCount == offsets[1] - offsets[0] else {
            throw TensorFileError(.sizeMismatch, key: name,
                "shape \(shape) of \(dtypeName) needs \(byteCount) bytes but data_offsets [\(offsets[0]), \(offsets[1])] span \(offsets[1] - offsets[0])")
        }
        return SafetensorsEntry(name: name, dtype: dtype, shape: shape, dataRange: offsets[0]..<offsets[1])
    }

    /// Sorts entries by offset and checks that they tile `0..<dataSize` with no gap or overlap.
    private static func validateLayout(entries: inout [SafetensorsEntry], dataSize: Int) throws(TensorFileError) {
        entries.sort { ($0.dataRange.lowerBound, $0.dataRange.upperBound) < ($1.dataRange.lowerBound, $1.dataRange.upperBound) }
        var expectedStart = 0
        for entry in entries {
            let range = entry.dataRange
            guard range.upperBound <= dataSize else {
                throw TensorFileError(.badOffsets, key: entry.name,
                    "data_offsets [\(range.lowerBound), \(range.upperBound)] run past the \(dataSize)-byte data section")
            }
            guard range.lowerBound == expectedStart else {
                let what = range.lowerBound < expectedStart ? "overlaps the previous tensor" : "leaves a gap after the previous tensor"
                throw TensorFileError(.badOffsets, key: entry.name,
                    "data_offsets start at \(range.lowerBound) but the previous tensor ends at \(expectedStart) (\(what))")
            }
            expectedStart = range.upperBound
        }
        guard expectedStart == dataSize else {
            throw TensorFileError(.badOffsets, "tensors cover \(expectedStart) bytes but the data section holds \(dataSize)")
        }
    }
}
