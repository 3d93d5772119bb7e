/// A safetensors file opened for reading: memory-mapped, header validated, tensors readable by name.
///
/// Opening maps the file and parses only the header; tensor bytes are touched when asked for.
public final class SafetensorsFile {
    public let path: String
    public let header: SafetensorsHeader
    package let mapping: MappedFile
    /// Entries by name: checkpoints hold hundreds of tensors and loaders look each one up.
    private let entriesByName: [String: SafetensorsEntry]

    public init(path: String) throws(TensorFileError) {
        self.path = path
        mapping = try MappedFile(path: path)
        do {
            header = try SafetensorsHeader.parse(mapping.bytes)
        } catch {
            throw error.at(path: path)
        }
        entriesByName = Dictionary(header.entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Tensor names in data-offset order.
    public var names: [String] { header.entries.map(\.name) }

    public var metadata: [String: String]? { header.metadata }

    public func entry(named name: String) throws(TensorFileError) -> SafetensorsEntry {
        guard let entry = entriesByName[name] else {
            throw TensorFileError(.missingEntry, path: path, key: name, "no tensor of this name in the file")
        }
        return entry
    }

    /// Calls `body` with the tensor's raw little-endian bytes, valid only during the call.
    public func withBytes<R>(of name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let range = try byteRange(of: entry(named: name))
        return try body(UnsafeRawBufferPointer(rebasing: mapping.bytes[range]))
    }

    /// The tensor's absolute byte range in the mapping.
    package func byteRange(of entry: SafetensorsEntry) -> Range<Int> {
        (header.dataOffset + entry.dataRange.lowerBound)..<(header.dataOffset + entry.dataRange.upperBound)
    }

    /// The values of a floating-point tensor (F32, or F16/BF16 upcast exactly) in C order.
    public func floats(_ name: String) throws(TensorFileError) -> [Float] {
        let entry = try entry(named: name)
        let bytes = UnsafeRawBufferPointer(rebasing: mapping.bytes[byteRange(of: entry)])
        let count = entry.elementCount
        switch entry.dtype {
        case .float32:
            return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                // The mapping may place a tensor at any byte offset, so copy bytes rather than load floats.
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: bytes)
                for i in 0..<count { buffer[i] = Float(bitPattern: UInt32(littleEndian: buffer[i].bitPattern)) }
                initialized = count
            }
        case .float16, .bfloat16:
            return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                HalfPrecision.convert(bytes, bfloat: entry.dtype == .bfloat16, into: buffer)
                initialized = count
            }
        default:
            throw TensorFileError(.unsupportedDType, path: path, key: name, "dtype \(entry.dtype.rawValue) is not floating point")
        }
    }
}
