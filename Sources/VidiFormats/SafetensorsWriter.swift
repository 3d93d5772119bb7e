/// A tensor's description for writing: the bytes come separately so large payloads can stream.
public struct SafetensorsTensorInfo: Sendable, Equatable {
    public var name: String
    public var dtype: SafetensorsDType
    public var shape: [Int]

    public init(name: String, dtype: SafetensorsDType, shape: [Int]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
    }
}

/// Writes safetensors files byte-for-byte as the reference implementation does: tensors laid out by
/// descending dtype (wider types first, so every tensor is naturally aligned) then by name, the JSON
/// header in that same order with `__metadata__` first and its keys sorted, compact separators, and the
/// header padded with spaces to a multiple of 8 bytes.
public enum SafetensorsWriter {
    /// The header bytes (length prefix included) and each tensor's entry, in the order the data follows.
    public static func layout(_ tensors: [SafetensorsTensorInfo], metadata: [String: String]? = nil) throws(TensorFileError)
        -> (header: [UInt8], entries: [SafetensorsEntry])
    {
        var seen = Set<String>()
        for tensor in tensors {
            guard tensor.name != "__metadata__" else {
                throw TensorFileError(.invalidEntry, key: tensor.name, "is reserved for the metadata map")
            }
            guard seen.insert(tensor.name).inserted else {
                throw TensorFileError(.duplicateKey, key: tensor.name, "two tensors have this name")
            }
        }
        // Names compare by UTF-8 bytes, as Rust's `str` ordering does (Swift's `<` on String normalises).
        let ordered = tensors.sorted {
            $0.dtype.layoutRank != $1.dtype.layoutRank
                ? $0.dtype.layoutRank > $1.dtype.layoutRank : $0.name.utf8.lexicographicallyPrecedes($1.name.utf8)
        }
        var entries: [SafetensorsEntry] = []
        var members: [(key: String, value: SafetensorsJSON)] = []
        if let metadata {
            let sorted = metadata.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { (key: $0, value: SafetensorsJSON.string(metadata[$0] ?? "")) }
            members.append((key: "__metadata__", value: .object(sorted)))
        }
        var offset = 0
        for tensor in ordered {
            var byteCount = tensor.dtype.itemSize
            for dim in tensor.shape {
                let (product, overflow) = byteCount.multipliedReportingOverflow(by: dim)
                guard dim >= 0, !overflow else { throw TensorFileError(.invalidEntry, key: tensor.name, "bad shape \(tensor.shape)") }
                byteCount = product
            }
            let range = offset..<(offset + byteCount)
            entries.append(SafetensorsEntry(name: tensor.name, dtype: tensor.dtype, shape: tensor.shape, dataRange: range))
            members.append((key: tensor.name, value: .object([
                (key: "dtype", value: .string(tensor.dtype.rawValue)),
                (key: "shape", value: .array(tensor.shape.map { .number(String($0)) })),
                (key: "data_offsets", value: .array([.number(String(range.lowerBound)), .number(String(range.upperBound))])),
            ])))
            offset = range.upperBound
        }
        var json = Array(SafetensorsJSON.object(members).serialized.utf8)
        json += Array(repeating: UInt8(ascii: " "), count: (8 - json.count % 8) % 8)
        let length = UInt64(json.count)
        let prefix = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) }
        return (prefix + json, entries)
    }

    /// A complete file in memory; `payloads[i]` holds the little-endian bytes of `tensors[i]`.
    public static func encode(_ tensors: [SafetensorsTensorInfo], payloads: [[UInt8]], metadata: [String: String]? = nil)
        throws -> [UInt8]
    {
        try checkPayloadCount(tensors, payloads)
        var out: [UInt8] = []
        try stream(tensors, metadata: metadata, write: { bytes in out += bytes }) {
            index, sink in
            try payloads[index].withUnsafeBytes { raw in try sink(raw) }
        }
        return out
    }

    /// Writes a file atomically; `payloads[i]` holds the little-endian bytes of `tensors[i]`.
    public static func write(_ tensors: [SafetensorsTensorInfo], payloads: [[UInt8]], metadata: [String: String]? = nil,
                             to path: String) throws
    {
        try checkPayloadCount(tensors, payloads)
        try write(tensors, metadata: metadata, to: path) { index, sink in
            try payloads[index].withUnsafeBytes { raw in try sink(raw) }
        }
    }

    private static func checkPayloadCount(_ tensors: [SafetensorsTensorInfo], _ payloads: [[UInt8]]) throws {
        guard payloads.count == tensors.count else {
            throw TensorFileError(.invalidEntry, "\(tensors.count) tensors but \(payloads.count) payloads")
        }
    }

    /// Writes a file atomically, asking `payload` for each tensor's bytes (by index into `tensors`) in
    /// layout order and passing them straight to the file.
    package static func write(_ tensors: [SafetensorsTensorInfo], metadata: [String: String]?, to path: String,
                      payload: (Int, (UnsafeRawBufferPointer) throws -> Void) throws -> Void)
        throws
    {
        do {
            try DurableFile.write(to: path) { file in
                try stream(tensors, metadata: metadata, write: { bytes in try file.write(bytes) }, payload: payload)
            }
        } catch let error as TensorFileError {
            throw error.at(path: path)
        } catch let error as FileWriteError {
            throw TensorFileError(.io, path: path, error.message)
        }
    }

    private static func stream(_ tensors: [SafetensorsTensorInfo], metadata: [String: String]?,
                               write: (UnsafeRawBufferPointer) throws -> Void,
                               payload: (Int, (UnsafeRawBufferPointer) throws -> Void) throws -> Void)
        throws
    {
        let (header, entries) = try layout(tensors, metadata: metadata)
        try header.withUnsafeBytes { raw in try write(raw) }
        var indexByName: [String: Int] = [:]
        for (index, tensor) in tensors.enumerated() { indexByName[tensor.name] = index }
        // `write` is only called during `payload`, never kept: the closure below does not really escape.
        try withoutActuallyEscaping(write) { write in
            for entry in entries {
                guard let index = indexByName[entry.name] else { continue }
                var delivered = 0
                try payload(index) { bytes in
                    delivered += bytes.count
                    guard delivered <= entry.dataRange.count else {
                        throw TensorFileError(.sizeMismatch, key: entry.name,
                            "payload has more than the \(entry.dataRange.count) bytes that shape \(entry.shape) of \(entry.dtype.rawValue) needs")
                    }
                    try write(bytes)
                }
                guard delivered == entry.dataRange.count else {
                    throw TensorFileError(.sizeMismatch, key: entry.name,
                        "payload has \(delivered) bytes but shape \(entry.shape) of \(entry.dtype.rawValue) needs \(entry.dataRange.count)")
                }
            }
        }
    }
}
