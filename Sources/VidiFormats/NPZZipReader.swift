/// The parts of the zip format an .npz needs: the central directory (zip64 included, which numpy
/// writes), stored and deflated members, CRC checks. Encrypted, split and multi-disk archives are refused.
struct ZipMember: Equatable {
    var name: String
    var method: UInt16
    var crc32: UInt32
    var compressedSize: Int
    var uncompressedSize: Int
    /// Absolute offset of the member's data (past its local header).
    var dataOffset: Int
}

enum ZipReader {
    static let endOfCentralDirectorySignature: UInt32 = 0x0605_4B50
    static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    static let zip64EndSignature: UInt32 = 0x0606_4B50
    static let centralHeaderSignature: UInt32 = 0x0201_4B50
    static let localHeaderSignature: UInt32 = 0x0403_4B50

    /// Deflate cannot expand data by more than about 1032:1; a larger claim is a corrupt or hostile size.
    static let maximumDeflateRatio = 1032

    /// Lists the members of the archive in `bytes`, validating every offset against the file's size.
    static func members(of bytes: UnsafeRawBufferPointer) throws(TensorFileError) -> [ZipMember] {
        let reader = ByteReader(bytes: bytes)
        let end = try findEndOfCentralDirectory(reader)
        var entryCount = Int(try reader.u16(end + 10))
        var directorySize = Int(try reader.u32(end + 12))
        var directoryOffset = Int(try reader.u32(end + 16))
        if entryCount == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            // Zip64: the locator sits just before the classic record and points at the zip64 record.
            let locator = end - 20
            guard locator >= 0, try reader.u32(locator) == zip64LocatorSignature else {
                throw TensorFileError(.badArchive, "zip64 sizes without a zip64 end-of-central-directory locator")
            }
            let record = try reader.offset(try reader.u64(locator + 8), "zip64 end record")
            guard try reader.u32(record) == zip64EndSignature else {
                throw TensorFileError(.badArchive, "zip64 end-of-central-directory record not found where the locator points")
            }
            entryCount = try reader.offset(try reader.u64(record + 32), "entry count")
            directorySize = try reader.offset(try reader.u64(record + 40), "central directory size")
            directoryOffset = try reader.offset(try reader.u64(record + 48), "central directory offset")
        }
        guard directoryOffset <= bytes.count, directorySize <= bytes.count - directoryOffset else {
            throw TensorFileError(.truncated, "central directory at \(directoryOffset) (+\(directorySize) bytes) lies past the end of the file")
        }
        // Each central header takes at least 46 bytes, which bounds a hostile entry count.
        guard entryCount <= directorySize / 46 else {
            throw TensorFileError(.badArchive, "\(entryCount) entries cannot fit in a \(directorySize)-byte central directory")
        }

        var members: [ZipMember] = []
        members.reserveCapacity(entryCount)
        var position = directoryOffset
        for _ in 0..<entryCount {
            let (member, next) = try centralEntry(reader, at: position)
            members.append(member)
            position = next
        }
        return members
    }

    private static func findEndOfCentralDirectory(_ reader: ByteReader) throws(TensorFileError) -> Int {
        let count = reader.bytes.count
        guard count >= 22 else { throw TensorFileError(.truncated, "\(count) bytes is too short for a zip archive") }
        // The record is 22 bytes plus a comment of at most 65535 bytes, at the very end of the file.
        let lowest = max(0, count - 22 - 0xFFFF)
        var position = count - 22
        let bytes = reader.bytes
        while position >= lowest {
            // Compare bytes directly: this scan may cover 64 KiB of a comment-laden or foreign file.
            if bytes[position] == 0x50, bytes[position + 1] == 0x4B, bytes[position + 2] == 0x05, bytes[position + 3] == 0x06,
               position + 22 + Int(try reader.u16(position + 20)) == count {
                guard try reader.u16(position + 4) == 0, try reader.u16(position + 6) == 0 else {
                    throw TensorFileError(.badArchive, "multi-disk zip archives are not supported")
                }
                return position
            }
            position -= 1
        }
        throw TensorFileError(.badArchive, "no zip end-of-central-directory record (not a zip/.npz file, or truncated)")
    }

    /// Parses the central header at `position`; returns the member and the next header's position.
    private static func centralEntry(_ reader: ByteReader, at position: Int) throws(TensorFileError) -> (ZipMember, Int) {
        guard try reader.u32(position) == centralHeaderSignature else {
            throw TensorFileError(.badArchive, "central directory entry at \(position) has a bad signature")
        }
        let flags = try reader.u16(position + 8)
        let method = try reader.u16(position + 10)
        let crc = try reader.u32(position + 16)
        var compressed = UInt64(try reader.u32(position + 20))
        var uncompressed = UInt64(try reader.u32(position + 24))
        let nameLength = Int(try reader.u16(position + 28))
        let extraLength = Int(try reader.u16(position + 30))
        let commentLength = Int(try reader.u16(position + 32))
        var localOffset = UInt64(try reader.u32(position + 42))
        let nameBytes = try reader.slice(position + 46, nameLength)
        guard let name = String(validating: nameBytes, as: UTF8.self) else {
            throw TensorFileError(.badArchive, "member name at \(position) is not valid UTF-8")
        }
        guard flags & 0x1 == 0 else { throw TensorFileError(.badArchive, key: name, "encrypted members are not supported") }

        // Zip64 extra field: holds, in this order, whichever of the three values are 0xFFFFFFFF above.
        var extra = position + 46 + nameLength
        let extraEnd = extra + extraLength
        _ = try reader.slice(extra, extraLength)
        while extra + 4 <= extraEnd {
            let id = try reader.u16(extra)
            let size = Int(try reader.u16(extra + 2))
            guard extra + 4 + size <= extraEnd else { throw TensorFileError(.badArchive, key: name, "extra field overruns its header") }
            if id == 0x0001 {
                var field = extra + 4
                let fieldEnd = extra + 4 + size
                func next() throws(TensorFileError) -> UInt64 {
                    guard field + 8 <= fieldEnd else { throw TensorFileError(.badArchive, key: name, "short zip64 extra field") }
                    defer { field += 8 }
                    return try reader.u64(field)
                }
                if uncompressed == 0xFFFF_FFFF { uncompressed = try next() }
                if compressed == 0xFFFF_FFFF { compressed = try next() }
                if localOffset == 0xFFFF_FFFF { localOffset = try next() }
            }
            extra += 4 + size
        }

        let local = try reader.offset(localOffset, "local header offset")
        guard try reader.u32(local) == localHeaderSignature else {
            throw TensorFileError(.badArchive, key: name, "local header at \(local) has a bad signature")
        }
        let dataOffset = local + 30 + Int(try reader.u16(local + 26)) + Int(try reader.u16(local + 28))
        let compressedSize = try reader.offset(compressed, "compressed size")
        guard uncompressed <= UInt64(Int.max) else { throw TensorFileError(.badArchive, key: name, "size \(uncompressed) overflows") }
        let uncompressedSize = Int(uncompressed)
        guard dataOffset <= reader.bytes.count, compressedSize <= reader.bytes.count - dataOffset else {
            throw TensorFileError(.truncated, key: name, "member data (\(compressedSize) bytes at \(dataOffset)) runs past the end of the file")
        }
        switch method {
        case 0:
            guard compressedSize == uncompressedSize else {
                throw TensorFileError(.badArchive, key: name, "stored member with compressed size \(compressedSize) != size \(uncompressedSize)")
            }
        case 8:
            guard uncompressedSize / maximumDeflateRatio <= compressedSize + 1 else {
                throw TensorFileError(.badArchive, key: name, "declared size \(uncompressedSize) is impossible for \(compressedSize) deflated bytes")
            }
        default:
            throw TensorFileError(.unsupportedCompression, key: name, "compression method \(method) (only stored and deflate are supported)")
        }
        let member = ZipMember(name: name, method: method, crc32: crc, compressedSize: compressedSize,
                               uncompressedSize: uncompressedSize, dataOffset: dataOffset)
        return (member, position + 46 + nameLength + extraLength + commentLength)
    }

    /// The member's uncompressed bytes, CRC-checked.
    static func contents(of member: ZipMember, in bytes: UnsafeRawBufferPointer) throws(TensorFileError) -> [UInt8] {
        let raw = UnsafeRawBufferPointer(rebasing: bytes[member.dataOffset..<(member.dataOffset + member.compressedSize)])
        let data = member.method == 8
            ? try NPZZlib.inflate(raw, expectedCount: member.uncompressedSize, member: member.name)
            : Array(raw)
        let crc = data.withUnsafeBytes { NPZZlib.crc32($0) }
        guard crc == member.crc32 else {
            throw TensorFileError(.checksumMismatch, key: member.name,
                "CRC-32 of the contents is \(String(crc, radix: 16)) but the archive says \(String(member.crc32, radix: 16))")
        }
        return data
    }
}

/// Bounds-checked little-endian reads; every failure is a truncation error, never a trap.
private struct ByteReader {
    let bytes: UnsafeRawBufferPointer

    func check(_ position: Int, _ count: Int) throws(TensorFileError) {
        guard position >= 0, count >= 0, position <= bytes.count, count <= bytes.count - position else {
            throw TensorFileError(.truncated, "zip structure at \(position) (+\(count) bytes) lies past the end of the \(bytes.count)-byte file")
        }
    }

    func u16(_ position: Int) throws(TensorFileError) -> UInt16 {
        try check(position, 2)
        return UInt16(bytes[position]) | UInt16(bytes[position + 1]) << 8
    }

    func u32(_ position: Int) throws(TensorFileError) -> UInt32 {
        try check(position, 4)
        return (0..<4).reduce(0) { $0 | UInt32(bytes[position + $1]) << (8 * UInt32($1)) }
    }

    func u64(_ position: Int) throws(TensorFileError) -> UInt64 {
        try check(position, 8)
        return (0..<8).reduce(0) { $0 | UInt64(bytes[position + $1]) << (8 * UInt64($1)) }
    }

    func slice(_ position: Int, _ count: Int) throws(TensorFileError) -> UnsafeRawBufferPointer {
        try check(position, count)
        return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
    }

    /// A 64-bit size or offset as an `Int` no larger than the file.
    func offset(_ value: UInt64, _ what: String) throws(TensorFileError) -> Int {
        guard value <= UInt64(bytes.count) else {
            throw TensorFileError(.truncated, "\(what) \(value) is beyond the end of the \(bytes.count)-byte file")
        }
        return Int(value)
    }
}
