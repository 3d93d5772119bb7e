/// Tensor <-> safetensors.
///
/// Reading: F32, I32, I64 and BOOL tensors are zero-copy, read-only views onto a mapping of their pages
/// (when naturally aligned, which every reference-written file is); each view keeps its own mapping, so it
/// outlives the `SafetensorsFile`, and writing to it copies first.
/// Other types are converted into owned storage: F16 and BF16 upcast exactly to float32, F64 rounded to
/// float32, U8/I8/I16/U16 widened to int32, U32 to int64, U64 to int64 when every value fits.
extension SafetensorsFile {
    /// The tensor stored under `name`.
    public func tensor(named name: String) throws(TensorFileError) -> Tensor {
        let entry = try entry(named: name)
        let range = byteRange(of: entry)
        let bytes = UnsafeRawBufferPointer(rebasing: mapping.bytes[range])
        do throws(TensorFileError) {
            switch entry.dtype {
            case .float32: return try view(entry, range, .float32)
            case .int32: return try view(entry, range, .int32)
            case .int64: return try view(entry, range, .int64)
            case .bool:
                // A Swift Bool must be 0 or 1; other bytes (allowed by numpy) are normalised in a copy.
                if bytes.allSatisfy({ $0 <= 1 }) { return try view(entry, range, .bool) }
                return convert(bytes, entry.shape, Bool.self) { $0.load(fromByteOffset: $1, as: UInt8.self) != 0 }
            case .float16, .bfloat16:
                let tensor = Tensor(zeroed: entry.shape, dtype: .float32)
                HalfPrecision.convert(bytes, bfloat: entry.dtype == .bfloat16,
                                      into: UnsafeMutableBufferPointer(start: tensor.typedPointer(Float.self), count: tensor.elementCount))
                return tensor
            case .float64: return convert(bytes, entry.shape, Float.self) { Float(Double(bitPattern: load($0, $1, UInt64.self))) }
            case .uint8: return convert(bytes, entry.shape, Int32.self) { Int32($0.load(fromByteOffset: $1, as: UInt8.self)) }
            case .int8: return convert(bytes, entry.shape, Int32.self) { Int32(Int8(bitPattern: $0.load(fromByteOffset: $1, as: UInt8.self))) }
            case .int16: return convert(bytes, entry.shape, Int32.self) { Int32(Int16(bitPattern: load($0, $1, UInt16.self))) }
            case .uint16: return convert(bytes, entry.shape, Int32.self) { Int32(load($0, $1, UInt16.self)) }
            case .uint32: return convert(bytes, entry.shape, Int64.self) { Int64(load($0, $1, UInt32.self)) }
            case .uint64:
                guard !(0..<entry.elementCount).contains(where: { load(bytes, $0 * 8, UInt64.self) > UInt64(Int64.max) }) else {
                    throw TensorFileError(.unsupportedDType, key: name, "U64 values above Int64.max do not fit int64")
                }
                return convert(bytes, entry.shape, Int64.self) { Int64(load($0, $1, UInt64.self)) }
            case .float8E5M2, .float8E4M3, .float8E8M0, .complex64:
                throw TensorFileError(.unsupportedDType, key: name, "dtype \(entry.dtype.rawValue) has no tensor dtype")
            }
        } catch {
            throw error.at(path: path)
        }
    }

    /// Every tensor in the file by name.
    public func tensors() throws(TensorFileError) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for name in names { result[name] = try tensor(named: name) }
        return result
    }

    /// A read-only view onto the mapping, or an owned copy when the bytes are not aligned for `dtype`.
    private func view(_ entry: SafetensorsEntry, _ range: Range<Int>, _ dtype: DType) throws(TensorFileError) -> Tensor {
        guard let base = mapping.bytes.baseAddress else {
            throw TensorFileError(.truncated, key: entry.name, "file has no data")
        }
        let start = UnsafeMutableRawPointer(mutating: base + range.lowerBound)
        guard Int(bitPattern: start) % dtype.byteSize == 0 else {
            let bytes = UnsafeRawBufferPointer(rebasing: mapping.bytes[range])
            let tensor = Tensor(zeroed: entry.shape, dtype: dtype)
            UnsafeMutableRawBufferPointer(start: tensor.rawPointer, count: range.count).copyMemory(from: bytes)
            return tensor
        }
        let storage = try mapping.viewStorage(range)
        do {
            return try Tensor(storage: storage, dtype: dtype, shape: entry.shape, strides: Shape.contiguousStrides(entry.shape))
        } catch {
            throw TensorFileError(.invalidEntry, key: entry.name, "\(error)")
        }
    }

    private func load<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, _ offset: Int, _ type: T.Type) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    private func convert<D: TensorElement>(_ bytes: UnsafeRawBufferPointer, _ shape: [Int], _ type: D.Type,
                                           _ element: (UnsafeRawBufferPointer, Int) -> D) -> Tensor {
        let tensor = Tensor(zeroed: shape, dtype: D.dtype)
        let count = tensor.elementCount
        guard count > 0 else { return tensor }
        let sourceSize = bytes.count / count
        let out = tensor.typedPointer(D.self)
        for i in 0..<count { out[i] = element(bytes, i * sourceSize) }
        return tensor
    }
}

/// Whole-file safetensors helpers over `Tensor`.
public enum Safetensors {
    /// Reads every tensor of a file (F32/I32/I64/BOOL as views onto the mapping).
    public static func read(path: String) throws(TensorFileError) -> [String: Tensor] {
        try SafetensorsFile(path: path).tensors()
    }

    /// Writes `tensors` (any layout; non-contiguous ones are copied) as the reference implementation lays them out.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String]? = nil, to path: String) throws {
        let ordered = tensors.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        let infos = ordered.map { SafetensorsTensorInfo(name: $0.key, dtype: safetensorsDType($0.value.dtype), shape: $0.value.shape) }
        try SafetensorsWriter.write(infos, metadata: metadata, to: path) { index, sink in
            let tensor = ordered[index].value.contiguousData()
            try withExtendedLifetime(tensor.storage) {
                try sink(UnsafeRawBufferPointer(start: tensor.rawPointer, count: tensor.elementCount * tensor.dtype.byteSize))
            }
        }
    }

    static func safetensorsDType(_ dtype: DType) -> SafetensorsDType {
        switch dtype {
        case .float32: return .float32
        case .int32: return .int32
        case .int64: return .int64
        case .bool: return .bool
        }
    }
}
