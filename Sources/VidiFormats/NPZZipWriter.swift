/// Writes a plain (non-zip64) zip archive member by member, as numpy's `savez` layout expects:
/// stored or deflated members, a central directory, fixed 1980-01-01 timestamps so the same arrays
/// always give the same bytes. Archives that would need zip64 (a member or the total past 4 GiB, or
/// 65535 members) are refused with an error rather than written incorrectly.
final class ZipWriter {
    private struct Written {
        var name: [UInt8]
        var flags: UInt16
        var method: UInt16
        var crc32: UInt32
        var compressedSize: UInt32
        var size: UInt32
        var localOffset: UInt32
    }

    private let sink: (UnsafeRawBufferPointer) throws -> Void
    private var written: [Written] = []
    private var offset = 0
    private static let limit = 0xFFFF_FFFF

    /// `sink` receives the archive's bytes in order.
    init(sink: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.sink = sink
    }

    func add(name: String, contents: UnsafeRawBufferPointer, deflate: Bool) throws {
        let payload = deflate ? try NPZZlib.deflate(contents) : nil
        let compressedSize = payload?.count ?? contents.count
        guard contents.count < Self.limit, compressedSize < Self.limit, offset < Self.limit, written.count < 0xFFFF else {
            throw TensorFileError(.tooLarge, key: name,
                "the archive would need zip64 (over 4 GiB or 65535 members); write safetensors instead")
        }
        let nameBytes = Array(name.utf8)
        // Bit 11: names are UTF-8 (only needed, and only set, for non-ASCII names).
        let flags: UInt16 = nameBytes.allSatisfy { $0 < 0x80 } ? 0 : 0x0800
        let entry = Written(name: nameBytes, flags: flags, method: deflate ? 8 : 0, crc32: NPZZlib.crc32(contents),
                            compressedSize: UInt32(compressedSize), size: UInt32(contents.count), localOffset: UInt32(offset))
        var header = Bytes()
        header.u32(0x0403_4B50)
        header.u16(20)  // version needed: 2.0 (deflate)
        header.u16(entry.flags)
        header.u16(entry.method)
        header.u16(0)  // time 00:00:00
        header.u16(0x21)  // date 1980-01-01
        header.u32(entry.crc32)
        header.u32(entry.compressedSize)
        header.u32(entry.size)
        header.u16(UInt16(nameBytes.count))
        header.u16(0)  // no extra field
        header.bytes += nameBytes
        try emit(header.bytes)
        if let payload {
            try emit(payload)
        } else {
            try sink(contents)
            offset += contents.count
        }
        written.append(entry)
    }

    /// Writes the central directory and the end record.
    func finish() throws {
        let directoryOffset = offset
        var directory = Bytes()
        for entry in written {
            directory.u32(0x0201_4B50)
            directory.u16(3 << 8 | 20)  // made by: Unix, zip 2.0
            directory.u16(20)
            directory.u16(entry.flags)
            directory.u16(entry.method)
            directory.u16(0)
            directory.u16(0x21)
            directory.u32(entry.crc32)
            directory.u32(entry.compressedSize)
            directory.u32(entry.size)
            directory.u16(UInt16(entry.name.count))
            directory.u16(0)  // extra
            directory.u16(0)  // comment
            directory.u16(0)  // disk
            directory.u16(0)  // internal attributes
            directory.u32(0o100644 << 16)  // external attributes: regular file, rw-r--r--
            directory.u32(entry.localOffset)
            directory.bytes += entry.name
        }
        guard directoryOffset + directory.bytes.count < Self.limit else {
            throw TensorFileError(.tooLarge, "the archive would need zip64 (over 4 GiB); write safetensors instead")
        }
        let directorySize = directory.bytes.count
        directory.u32(0x0605_4B50)
        directory.u16(0)
        directory.u16(0)
        directory.u16(UInt16(written.count))
        directory.u16(UInt16(written.count))
        directory.u32(UInt32(directorySize))
        directory.u32(UInt32(directoryOffset))
        directory.u16(0)  // comment length
        try emit(directory.bytes)
    }

    private func emit(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try sink($0) }
        offset += bytes.count
    }

    private struct Bytes {
        var bytes: [UInt8] = []
        mutating func u16(_ value: UInt16) { bytes += [UInt8(value & 0xFF), UInt8(value >> 8)] }
        mutating func u32(_ value: UInt32) { for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8((value >> UInt32(shift)) & 0xFF)) } }
    }
}
