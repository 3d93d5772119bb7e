import Foundation

/// Tensor <-> `.npy`. Reading accepts either byte order and C or Fortran memory order and converts to
/// the nearest `DType`: f4 as is, f2 and f8 to float32 (f8 rounds), i4/i8 as is, i1/i2/u1/u2 widened to
/// int32, u4 to int64, u8 to int64 when every value fits, b1 to bool. Writing produces little-endian,
/// C-order files with the dtype's own descriptor.
extension Tensor {
    /// The tensor as a `.npy` array (C order, little-endian).
    public var npyArray: NPYFormat.Array {
        let source = contiguousData()
        let bytes = withExtendedLifetime(source) {
            [UInt8](UnsafeRawBufferPointer(start: source.rawPointer, count: source.elementCount * dtype.byteSize))
        }
        return NPYFormat.Array(descr: dtype.npyDescriptor, shape: shape, fortranOrder: false, data: bytes)
    }

    /// Decodes an `.npy` array; `name` (a file or archive key) only labels errors.
    public init(npy array: NPYFormat.Array, name: String? = nil) throws(TensorFileError) {
        let decoded = try NPYDecoding.decode(array, name: name)
        self = decoded
    }

    /// Reads a `.npy` file.
    public static func readNPY(path: String) throws(TensorFileError) -> Tensor {
        let array: NPYFormat.Array
        do {
            array = try NPYFormat.read(path: path)
        } catch let error as NPYFormat.Error {
            throw TensorFileError(.invalidHeader, path: path, "\(error)")
        } catch {
            throw TensorFileError(.io, path: path, "cannot read: \(error.localizedDescription)")
        }
        do {
            return try Tensor(npy: array)
        } catch {
            throw error.at(path: path)
        }
    }

    /// Writes a `.npy` file that `numpy.load` opens (atomically).
    public func writeNPY(to path: String) throws(TensorFileError) {
        do {
            let array = npyArray
            try DurableFile.write(NPYFormat.header(descr: array.descr, shape: array.shape) + array.data, to: path)
        } catch let error as FileWriteError {
            throw TensorFileError(.io, path: path, error.message)
        } catch let error as TensorFileError {
            throw error.at(path: path)
        } catch {
            throw TensorFileError(.io, path: path, "\(error)")
        }
    }
}

/// The conversions behind `Tensor(npy:)`.
enum NPYDecoding {
    static func decode(_ array: NPYFormat.Array, name: String?) throws(TensorFileError) -> Tensor {
        let descr = array.descr
        guard descr.utf8.count >= 3, let size = Int(descr.dropFirst(2)) else {
            throw TensorFileError(.unknownDType, key: name, "unsupported .npy dtype descriptor '\(descr)'")
        }
        let order = descr.first ?? "<"
        let kind = descr.dropFirst().first ?? "?"
        // '|' marks single-byte types; '=' is native order, little-endian on every platform Vidi runs on.
        let bigEndian = order == ">"
        guard "<>|=".contains(order) else {
            throw TensorFileError(.unknownDType, key: name, "unsupported byte order in '\(descr)'")
        }
        let shape = array.shape
        let count = array.elementCount
        guard array.data.count == count * size else {
            throw TensorFileError(.sizeMismatch, key: name, "\(array.data.count) data bytes for shape \(shape) of '\(descr)'")
        }
        // A Fortran-order array is the C-order array of the reversed shape, transposed.
        let storedShape = array.fortranOrder ? Array(shape.reversed()) : shape
        var tensor: Tensor
        switch (kind, size) {
        case ("f", 4): tensor = convert(array.data, to: Float.self, shape: storedShape) { Float(bitPattern: read($0, $1, bigEndian, UInt32.self)) }
        case ("f", 2): tensor = convert(array.data, to: Float.self, shape: storedShape) { HalfPrecision.float(fromHalfBits: read($0, $1, bigEndian, UInt16.self)) }
        case ("f", 8): tensor = convert(array.data, to: Float.self, shape: storedShape) { Float(Double(bitPattern: read($0, $1, bigEndian, UInt64.self))) }
        case ("i", 1): tensor = convert(array.data, to: Int32.self, shape: storedShape) { Int32(Int8(bitPattern: $0.load(fromByteOffset: $1, as: UInt8.self))) }
        case ("i", 2): tensor = convert(array.data, to: Int32.self, shape: storedShape) { Int32(Int16(bitPattern: read($0, $1, bigEndian, UInt16.self))) }
        case ("i", 4): tensor = convert(array.data, to: Int32.self, shape: storedShape) { Int32(bitPattern: read($0, $1, bigEndian, UInt32.self)) }
        case ("i", 8): tensor = convert(array.data, to: Int64.self, shape: storedShape) { Int64(bitPattern: read($0, $1, bigEndian, UInt64.self)) }
        case ("u", 1): tensor = convert(array.data, to: Int32.self, shape: storedShape) { Int32($0.load(fromByteOffset: $1, as: UInt8.self)) }
        case ("u", 2): tensor = convert(array.data, to: Int32.self, shape: storedShape) { Int32(read($0, $1, bigEndian, UInt16.self)) }
        case ("u", 4): tensor = convert(array.data, to: Int64.self, shape: storedShape) { Int64(read($0, $1, bigEndian, UInt32.self)) }
        case ("u", 8):
            let tooLarge = array.data.withUnsafeBytes { raw in
                (0..<count).contains { read(raw, $0 * 8, bigEndian, UInt64.self) > UInt64(Int64.max) }
            }
            guard !tooLarge else { throw TensorFileError(.unsupportedDType, key: name, "uint64 values above Int64.max do not fit int64") }
            tensor = convert(array.data, to: Int64.self, shape: storedShape) { Int64(read($0, $1, bigEndian, UInt64.self)) }
        case ("b", 1): tensor = convert(array.data, to: Bool.self, shape: storedShape) { $0.load(fromByteOffset: $1, as: UInt8.self) != 0 }
        default:
            throw TensorFileError(.unsupportedDType, key: name, ".npy dtype '\(descr)' has no tensor dtype")
        }
        if array.fortranOrder, shape.count > 1 {
            do {
                tensor = try tensor.permuted(Array((0..<shape.count).reversed())).contiguous()
            } catch {
                throw TensorFileError(.invalidEntry, key: name, "cannot transpose Fortran-order array: \(error)")
            }
        }
        return tensor
    }

    /// The element at `offset` of `bytes` as a `T`, byte-swapped from big-endian when needed.
    @inline(__always)
    static func read<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, _ offset: Int, _ bigEndian: Bool, _ type: T.Type) -> T {
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        return bigEndian ? T(bigEndian: raw) : T(littleEndian: raw)
    }

    /// A new contiguous tensor of `shape` whose element `i` is `element(bytes, i * sourceSize)`.
    static func convert<D: TensorElement>(_ data: [UInt8], to type: D.Type, shape: [Int],
                                          _ element: (UnsafeRawBufferPointer, Int) -> D) -> Tensor {
        let tensor = Tensor(zeroed: shape, dtype: D.dtype)
        let count = tensor.elementCount
        guard count > 0 else { return tensor }
        let sourceSize = data.count / count
        let out = tensor.typedPointer(D.self)
        data.withUnsafeBytes { raw in
            for i in 0..<count { out[i] = element(raw, i * sourceSize) }
        }
        return tensor
    }
}
