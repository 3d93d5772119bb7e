/// An `.npz` archive (numpy's `savez` / `savez_compressed`) opened for reading.
///
/// The file is memory-mapped and its directory parsed on open; each array is decoded (inflated and
/// CRC-checked) when asked for. Keys are member names without `.npy`, as `numpy.load(...).files` shows
/// them; members that are not `.npy` files (numpy never writes any) are ignored.
public final class NPZFile {
    public let path: String
    /// Array names in archive order.
    public let names: [String]
    private let members: [String: ZipMember]
    private let mapping: MappedFile

    public init(path: String) throws(TensorFileError) {
        self.path = path
        mapping = try MappedFile(path: path)
        var names: [String] = []
        var members: [String: ZipMember] = [:]
        do throws(TensorFileError) {
            for member in try ZipReader.members(of: mapping.bytes) where member.name.hasSuffix(".npy") {
                let key = String(member.name.dropLast(4))
                guard members.updateValue(member, forKey: key) == nil else {
                    throw TensorFileError(.duplicateKey, key: key, "two archive members are named '\(member.name)'")
                }
                names.append(key)
            }
        } catch {
            throw error.at(path: path)
        }
        self.names = names
        self.members = members
    }

    /// The array stored under `name`, decoded by the `.npy` byte layer.
    public func array(named name: String) throws(TensorFileError) -> NPYFormat.Array {
        guard let member = members[name] else {
            throw TensorFileError(.missingEntry, path: path, key: name, "no array of this name in the archive")
        }
        do throws(TensorFileError) {
            let bytes = try ZipReader.contents(of: member, in: mapping.bytes)
            do {
                return try NPYFormat.decode(bytes)
            } catch {
                throw TensorFileError(.invalidEntry, key: name, "member is not a valid .npy: \(error)")
            }
        } catch {
            var named = error.at(path: path)
            named.key = name  // the array's name, not the member's file name
            throw named
        }
    }

    /// Every array, in archive order.
    public func arrays() throws(TensorFileError) -> [(name: String, array: NPYFormat.Array)] {
        var result: [(name: String, array: NPYFormat.Array)] = []
        for name in names { result.append((name, try array(named: name))) }
        return result
    }
}

/// Writes `.npz` archives that `numpy.load` opens: one `<name>.npy` member per array, stored
/// (like `numpy.savez`) or deflated (like `numpy.savez_compressed`).
public enum NPZWriter {
    public static func write(_ arrays: [(name: String, array: NPYFormat.Array)], to path: String, compressed: Bool = false) throws {
        do {
            try DurableFile.write(to: path) { file in
                try write(arrays, compressed: compressed) { try file.write($0) }
            }
        } catch let error as TensorFileError {
            throw error.at(path: path)
        } catch let error as FileWriteError {
            throw TensorFileError(.io, path: path, error.message)
        }
    }

    /// The archive's bytes in memory.
    public static func encode(_ arrays: [(name: String, array: NPYFormat.Array)], compressed: Bool = false) throws -> [UInt8] {
        var out: [UInt8] = []
        try write(arrays, compressed: compressed) { out += $0 }
        return out
    }

    static func write(_ arrays: [(name: String, array: NPYFormat.Array)], compressed: Bool,
                      sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        var seen = Set<String>()
        for (name, array) in arrays {
            guard seen.insert(name).inserted else { throw TensorFileError(.duplicateKey, key: name, "two arrays have this name") }
            let expected = try NPYFormat.itemSize(of: array.descr) * array.elementCount
            guard array.data.count == expected else {
                throw TensorFileError(.sizeMismatch, key: name,
                    "\(array.data.count) bytes of data but shape \(array.shape) of '\(array.descr)' needs \(expected)")
            }
        }
        let zip = ZipWriter(sink: sink)
        for (name, array) in arrays {
            let bytes = NPYFormat.encode(array)
            try bytes.withUnsafeBytes { try zip.add(name: name + ".npy", contents: $0, deflate: compressed) }
        }
        try zip.finish()
    }
}
