/// Writes a POSIX ustar archive with fixed metadata (mtime 0, uid/gid 0, mode 0644, no user names) so the
/// same samples always give the same bytes. Python's `tarfile` and `webdataset` read it.
public enum TarWriter {
    public static let blockSize = 512

    /// The 512-byte header of a regular file. Names longer than 100 bytes use the ustar prefix field.
    public static func header(name: String, size: Int) throws(TarError) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: blockSize)
        let nameBytes = Array(name.utf8)
        var prefix: [UInt8] = []
        var base = nameBytes
        if nameBytes.count > 100 {
            // Split at a '/' so that prefix <= 155 and name <= 100, as ustar requires.
            guard let cut = nameBytes.indices.last(where: { nameBytes[$0] == UInt8(ascii: "/") && $0 <= 155 && nameBytes.count - $0 - 1 <= 100 }) else {
                throw TarError(member: name, "name longer than ustar allows")
            }
            prefix = Array(nameBytes[..<cut])
            base = Array(nameBytes[(cut + 1)...])
        }
        guard size >= 0, size < 0o77777777777 else {
            throw TarError(member: name, "\(size) bytes is larger than ustar allows")
        }
        func put(_ bytes: [UInt8], at offset: Int) {
            for (i, byte) in bytes.enumerated() { block[offset + i] = byte }
        }
        func octal(_ value: Int, width: Int) -> [UInt8] {
            let digits = String(value, radix: 8)
            return Array((String(repeating: "0", count: width - 1 - digits.count) + digits).utf8) + [0]
        }
        put(base, at: 0)
        put(octal(0o644, width: 8), at: 100)   // mode
        put(octal(0, width: 8), at: 108)       // uid
        put(octal(0, width: 8), at: 116)       // gid
        put(octal(size, width: 12), at: 124)
        put(octal(0, width: 12), at: 136)      // mtime: fixed, samples carry no wall-clock time
        put([UInt8](repeating: 0x20, count: 8), at: 148)  // checksum field counts as spaces
        block[156] = UInt8(ascii: "0")         // regular file
        put(Array("ustar".utf8) + [0], at: 257)
        put(Array("00".utf8), at: 263)
        put(octal(0, width: 8), at: 329)       // devmajor
        put(octal(0, width: 8), at: 337)       // devminor
        put(prefix, at: 345)
        let checksum = block.reduce(0) { $0 + Int($1) }
        put(octal(checksum, width: 7) + [0x20], at: 148)
        return block
    }

    /// Bytes of padding after a member of `size` bytes.
    public static func padding(after size: Int) -> Int { (blockSize - size % blockSize) % blockSize }
}

/// A tar member that cannot be written or read.
public struct TarError: Error, CustomStringConvertible, Sendable, Equatable {
    public let member: String
    public let message: String
    public init(member: String, _ message: String) {
        self.member = member
        self.message = message
    }
    public var description: String { "tar member \(member): \(message)" }
}
