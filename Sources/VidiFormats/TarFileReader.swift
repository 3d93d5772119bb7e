#if canImport(Glibc)
import Glibc
private let systemRead = Glibc.read
#elseif canImport(Darwin)
import Darwin
private let systemRead = Darwin.read
#endif

/// One regular file of a tar archive.
public struct TarEntry: Sendable, Equatable {
    public var name: String
    public var bytes: [UInt8]

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }
}

/// What was wrong with an archive, and where (byte offset of the header or data).
public enum TarFileError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case corrupt(path: String, offset: Int, reason: String)
    case truncated(path: String, offset: Int, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): return "\(path): cannot open: \(reason)"
        case .corrupt(let path, let offset, let reason): return "\(path): corrupt tar at byte \(offset): \(reason)"
        case .truncated(let path, let offset, let reason): return "\(path): truncated tar at byte \(offset): \(reason)"
        }
    }
}

/// Streams the regular files of a tar archive in order, reading the file sequentially (shards can be
/// far larger than memory). Reads POSIX ustar (with its name prefix), GNU (`L` long names, base-256
/// sizes) and pax (`x` per-file `path`/`size` records) as Python's `tarfile` does; directories, links
/// and other special members are skipped. The archive ends at its first all-zero block, or at end of
/// file on a block boundary (as `tarfile` in stream mode accepts). Every header's checksum is verified.
public final class TarFileReader {
    public let path: String
    private var file: BufferedFile
    private var globalPax: [String: String] = [:]

    public init(path: String) throws(TarFileError) {
        self.path = path
        file = try BufferedFile(path: path)
    }

    /// The next regular file, or nil at the end of the archive.
    public func next() throws(TarFileError) -> TarEntry? {
        var longName: String?
        var pax: [String: String] = [:]
        while true {
            let headerOffset = file.offset
            guard let header = try file.read(count: TarFormat.blockSize, path: path, allowEmpty: true) else { return nil }
            if header.allSatisfy({ $0 == 0 }) { return nil }
            try TarFormat.verifyChecksum(header, path: path, offset: headerOffset)
            let type = header[156]
            guard var size = TarFormat.number(header[124..<136]) else {
                throw .corrupt(path: path, offset: headerOffset, reason: "unreadable size field")
            }
            if let paxSize = pax["size"] ?? globalPax["size"] {
                guard let value = Int(paxSize), value >= 0 else {
                    throw .corrupt(path: path, offset: headerOffset, reason: "pax size '\(paxSize)' is not a number")
                }
                size = value
            }
            guard size >= 0, size < 1 << 40 else {
                throw .corrupt(path: path, offset: headerOffset, reason: "member size \(size) is out of range")
            }
            let dataOffset = file.offset
            let padded = size + TarFormat.padding(after: size)
            switch type {
            case UInt8(ascii: "L"), UInt8(ascii: "x"), UInt8(ascii: "g"):
                // Metadata for the next member: read it whole (small) and go on to that member.
                guard let data = try file.read(count: size, path: path) else { throw truncated(dataOffset, size) }
                try file.skip(padded - size, path: path)
                if type == UInt8(ascii: "L") {
                    longName = TarFormat.string(data[...])
                } else {
                    let records = try TarFormat.paxRecords(data, path: path, offset: dataOffset)
                    if type == UInt8(ascii: "x") { pax.merge(records) { $1 } } else { globalPax.merge(records) { $1 } }
                }
                continue
            case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
                let name = pax["path"] ?? longName ?? TarFormat.headerName(header)
                if name.hasSuffix("/") {  // an old-style directory entry
                    try file.skip(padded, path: path)
                    longName = nil; pax = [:]
                    continue
                }
                guard let data = try file.read(count: size, path: path) else { throw truncated(dataOffset, size) }
                try file.skip(padded - size, path: path)
                return TarEntry(name: name, bytes: data)
            default:
                // Directories, links, devices, FIFOs, GNU sparse and volume headers carry no sample data.
                try file.skip(type == UInt8(ascii: "5") ? 0 : padded, path: path)
                longName = nil; pax = [:]
            }
        }
    }

    private func truncated(_ offset: Int, _ size: Int) -> TarFileError {
        .truncated(path: path, offset: offset, reason: "member data of \(size) bytes runs past the end of the file")
    }
}

/// Field layouts and encodings of tar headers.
extension TarFileReader {
    /// Every regular file of the archive at `path`, in order (for small archives read whole).
    public static func entries(path: String) throws(TarFileError) -> [TarEntry] {
        let reader = try TarFileReader(path: path)
        var entries: [TarEntry] = []
        while let entry = try reader.next() { entries.append(entry) }
        return entries
    }
}

enum TarFormat {
    static let blockSize = 512

    static func padding(after size: Int) -> Int { (blockSize - size % blockSize) % blockSize }

    /// A NUL-terminated field as UTF-8 (invalid bytes replaced).
    static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// `prefix/name` for ustar headers with a prefix, else the name field.
    static func headerName(_ header: [UInt8]) -> String {
        let name = string(header[0..<100])
        let magic = Array(header[257..<263])
        // POSIX ustar ("ustar\0") uses 345..<500 as a name prefix; GNU ("ustar ") stores times there.
        guard magic == Array("ustar".utf8) + [0] else { return name }
        let prefix = string(header[345..<500])
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    /// An octal number (spaces and NULs around it allowed) or GNU's base-256 form (high bit set).
    static func number(_ field: ArraySlice<UInt8>) -> Int? {
        guard let first = field.first else { return nil }
        if first & 0x80 != 0 {
            guard first & 0x40 == 0 else { return nil }  // negative
            var value = Int(first & 0x3F)
            for byte in field.dropFirst() {
                guard value < Int.max >> 8 else { return nil }
                value = value << 8 | Int(byte)
            }
            return value
        }
        var value = 0
        var digits = 0
        for byte in field {
            if byte == 0 || byte == 0x20 {
                if digits > 0 { break } else { continue }
            }
            guard byte >= 0x30, byte <= 0x37, value < Int.max >> 3 else { return nil }
            value = value << 3 | Int(byte - 0x30)
            digits += 1
        }
        return value
    }

    /// The stored checksum must equal the byte sum with the checksum field read as spaces (unsigned, or
    /// signed as some old writers computed it).
    static func verifyChecksum(_ header: [UInt8], path: String, offset: Int) throws(TarFileError) {
        guard let stored = number(header[148..<156]) else {
            throw .corrupt(path: path, offset: offset, reason: "unreadable checksum field")
        }
        var unsigned = 8 * 0x20, signed = 8 * 0x20
        for (i, byte) in header.enumerated() where !(148..<156).contains(i) {
            unsigned += Int(byte)
            signed += Int(Int8(bitPattern: byte))
        }
        guard stored == unsigned || stored == signed else {
            throw .corrupt(path: path, offset: offset, reason: "header checksum \(stored) does not match \(unsigned)")
        }
    }

    /// pax extended header records: `"<length> <key>=<value>\n"` each.
    static func paxRecords(_ data: [UInt8], path: String, offset: Int) throws(TarFileError) -> [String: String] {
        var records: [String: String] = [:]
        var position = 0
        while position < data.count {
            guard let space = data[position...].firstIndex(of: 0x20),
                  let length = Int(String(decoding: data[position..<space], as: UTF8.self)),
                  length > space - position, position + length <= data.count,
                  data[position + length - 1] == 0x0A,
                  let equals = data[(space + 1)..<(position + length)].firstIndex(of: UInt8(ascii: "=")) else {
                if data[position...].allSatisfy({ $0 == 0 }) { break }
                throw .corrupt(path: path, offset: offset + position, reason: "malformed pax record")
            }
            let key = String(decoding: data[(space + 1)..<equals], as: UTF8.self)
            records[key] = String(decoding: data[(equals + 1)..<(position + length - 1)], as: UTF8.self)
            position += length
        }
        return records
    }
}

/// Sequential reads from a file descriptor through a 1 MiB buffer.
private struct BufferedFile: ~Copyable {
    private let descriptor: Int32
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    /// Bytes consumed from the file so far.
    private(set) var offset = 0

    init(path: String) throws(TarFileError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        self.descriptor = descriptor
        buffer = [UInt8](repeating: 0, count: 1 << 20)
    }

    deinit { close(descriptor) }

    /// Refills the buffer; returns false at end of file.
    private mutating func fill(path: String) throws(TarFileError) -> Bool {
        start = 0
        end = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { raw in systemRead(descriptor, raw.baseAddress, raw.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .cannotOpen(path: path, reason: "read failed: \(String(cString: strerror(errno)))")
            }
            end = count
            return count > 0
        }
    }

    /// Exactly `count` bytes, or nil at a clean end of file when `allowEmpty`; a partial read is truncation.
    mutating func read(count: Int, path: String, allowEmpty: Bool = false) throws(TarFileError) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        let readOffset = offset
        while out.count < count {
            if start == end, try !fill(path: path) {
                if out.isEmpty && allowEmpty { return nil }
                if allowEmpty {
                    throw .truncated(path: path, offset: readOffset, reason: "header cut after \(out.count) of \(count) bytes")
                }
                return nil
            }
            let take = Swift.min(count - out.count, end - start)
            out.append(contentsOf: buffer[start..<(start + take)])
            start += take
            offset += take
        }
        return out
    }

    /// Skips `count` bytes (padding, unused members); running out is truncation.
    mutating func skip(_ count: Int, path: String) throws(TarFileError) {
        var remaining = count
        while remaining > 0 {
            if start == end, try !fill(path: path) {
                throw .truncated(path: path, offset: offset, reason: "\(remaining) bytes missing at the end")
            }
            let take = Swift.min(remaining, end - start)
            start += take
            offset += take
            remaining -= take
        }
    }
}
