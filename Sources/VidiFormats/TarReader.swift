/// Reads a tar archive held in memory: ustar (with the prefix field), GNU long names (`L`) and pax
/// `path` records, regular files only (directories and links are skipped). Damage (a bad checksum, a
/// member running past the end) throws; nothing is guessed.
public enum TarReader {
    public struct Member: Sendable, Equatable {
        public var name: String
        public var bytes: [UInt8]
    }

    public static func members(of archive: [UInt8]) throws(TarError) -> [Member] {
        var members: [Member] = []
        var offset = 0
        var pendingName: String?
        let block = TarWriter.blockSize
        while offset + block <= archive.count {
            let header = archive[offset..<(offset + block)]
            if header.allSatisfy({ $0 == 0 }) { break }  // end-of-archive marker
            let name = pendingName ?? headerName(header)
            guard let size = octal(header, at: 124, width: 12) else { throw TarError(member: name, "unreadable size field") }
            guard let stored = octal(header, at: 148, width: 8),
                  stored == header.enumerated().reduce(0, { $0 + (148..<156 ~= $1.offset ? 0x20 : Int($1.element)) })
            else { throw TarError(member: name, "header checksum mismatch at byte \(offset)") }
            let start = offset + block
            guard size >= 0, start + size <= archive.count else { throw TarError(member: name, "runs past the end of the archive") }
            let data = Array(archive[start..<(start + size)])
            offset = start + size + TarWriter.padding(after: size)
            switch header[header.startIndex + 156] {
            case UInt8(ascii: "L"):
                pendingName = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
                continue
            case UInt8(ascii: "x"):
                pendingName = paxPath(data) ?? pendingName
                continue
            case UInt8(ascii: "0"), 0:
                members.append(Member(name: name, bytes: data))
            default:
                break  // directories, links, global pax headers: not sample data
            }
            pendingName = nil
        }
        return members
    }

    private static func field(_ header: ArraySlice<UInt8>, at offset: Int, width: Int) -> ArraySlice<UInt8> {
        let start = header.startIndex + offset
        return header[start..<(start + width)]
    }

    private static func headerName(_ header: ArraySlice<UInt8>) -> String {
        let base = String(decoding: field(header, at: 0, width: 100).prefix { $0 != 0 }, as: UTF8.self)
        let prefix = String(decoding: field(header, at: 345, width: 155).prefix { $0 != 0 }, as: UTF8.self)
        return prefix.isEmpty ? base : prefix + "/" + base
    }

    private static func octal(_ header: ArraySlice<UInt8>, at offset: Int, width: Int) -> Int? {
        let text = String(decoding: field(header, at: offset, width: width).prefix { $0 != 0 }, as: UTF8.self)
            .trimmingCharacters(in: " ")
        return text.isEmpty ? 0 : Int(text, radix: 8)
    }

    /// The `path` of a pax extended header (`<length> path=<value>\n` records).
    private static func paxPath(_ data: [UInt8]) -> String? {
        for record in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let space = record.firstIndex(of: " ") else { continue }
            let pair = record[record.index(after: space)...]
            if pair.hasPrefix("path=") { return String(pair.dropFirst(5)) }
        }
        return nil
    }
}

private extension String {
    func trimmingCharacters(in character: Character) -> String {
        String(drop { $0 == character }.reversed().drop { $0 == character }.reversed())
    }
}
