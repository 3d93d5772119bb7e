import Foundation
import VidiFormats

/// A minimal, independent reader of what `ParquetWriter` emits, for the tests: the Thrift compact protocol
/// decoded into a generic tree (field id -> value), then pages walked by their headers. Written from the
/// Parquet and Thrift specifications, not from the writer.
enum ThriftValue: Equatable {
    case int(Int64), binary([UInt8]), list([ThriftValue]), structure([Int16: ThriftValue])

    subscript(_ id: Int16) -> ThriftValue? { if case .structure(let f) = self { return f[id] } else { return nil } }
    var int: Int64? { if case .int(let v) = self { return v } else { return nil } }
    var string: String? { if case .binary(let b) = self { return String(decoding: b, as: UTF8.self) } else { return nil } }
    var list: [ThriftValue]? { if case .list(let l) = self { return l } else { return nil } }
}

struct ThriftCompactReader {
    let bytes: [UInt8]
    var offset: Int

    struct Malformed: Error {}

    mutating func byte() throws -> UInt8 {
        guard offset < bytes.count else { throw Malformed() }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            let b = try byte()
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            guard shift < 64 else { throw Malformed() }
        }
    }

    mutating func zigzag() throws -> Int64 { let v = try varint(); return Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1) }

    mutating func value(_ type: UInt8) throws -> ThriftValue {
        switch type {
        case 1: return .int(1)
        case 2: return .int(0)
        case 3: return .int(Int64(Int8(bitPattern: try byte())))
        case 4, 5, 6: return .int(try zigzag())
        case 8:
            let n = Int(try varint())
            guard offset + n <= bytes.count else { throw Malformed() }
            defer { offset += n }
            return .binary(Array(bytes[offset..<(offset + n)]))
        case 9:
            let header = try byte()
            let count = header >> 4 == 15 ? Int(try varint()) : Int(header >> 4)
            return .list(try (0..<count).map { _ in try value(header & 0x0F) })
        case 12: return try structure()
        default: throw Malformed()
        }
    }

    mutating func structure() throws -> ThriftValue {
        var fields: [Int16: ThriftValue] = [:]
        var last: Int16 = 0
        while true {
            let header = try byte()
            if header == 0 { return .structure(fields) }
            let delta = Int16(header >> 4)
            let id = delta == 0 ? Int16(try zigzag()) : last + delta
            fields[id] = try value(header & 0x0F)
            last = id
        }
    }
}

/// The footer and every column's pages of a Parquet file.
struct ParquetReadBack {
    let footer: ThriftValue
    /// Per column (footer order): the pages' headers and data bytes.
    let pages: [[(header: ThriftValue, data: [UInt8])]]

    init(_ file: [UInt8]) throws {
        let magic = Array("PAR1".utf8)
        guard file.count >= 12, Array(file.prefix(4)) == magic, Array(file.suffix(4)) == magic else { throw ThriftCompactReader.Malformed() }
        let length = Int(file[file.count - 8]) | Int(file[file.count - 7]) << 8 | Int(file[file.count - 6]) << 16 | Int(file[file.count - 5]) << 24
        var reader = ThriftCompactReader(bytes: file, offset: file.count - 8 - length)
        footer = try reader.structure()
        guard reader.offset == file.count - 8 else { throw ThriftCompactReader.Malformed() }
        var all: [[(ThriftValue, [UInt8])]] = []
        for chunk in footer[4]?.list?.first?[1]?.list ?? [] {
            guard let meta = chunk[3], var at = meta[9]?.int.map(Int.init), let total = meta[7]?.int.map(Int.init) else { throw ThriftCompactReader.Malformed() }
            let end = at + total
            var column: [(ThriftValue, [UInt8])] = []
            while at < end {
                var r = ThriftCompactReader(bytes: file, offset: at)
                let header = try r.structure()
                guard let size = header[3]?.int.map(Int.init), r.offset + size <= end else { throw ThriftCompactReader.Malformed() }
                column.append((header, Array(file[r.offset..<(r.offset + size)])))
                at = r.offset + size
            }
            all.append(column)
        }
        pages = all
    }

    /// Levels of bit width 1 in the RLE / bit-packed hybrid, length-prefixed, from `data[offset...]`.
    static func levels(_ data: [UInt8], at offset: inout Int, count: Int) throws -> [UInt8] {
        let length = Int(data[offset]) | Int(data[offset + 1]) << 8 | Int(data[offset + 2]) << 16 | Int(data[offset + 3]) << 24
        var r = ThriftCompactReader(bytes: Array(data[(offset + 4)..<(offset + 4 + length)]), offset: 0)
        var out: [UInt8] = []
        while out.count < count, r.offset < r.bytes.count {
            let header = try r.varint()
            if header & 1 == 0 {
                let value = try r.byte()
                out += [UInt8](repeating: value, count: Int(header >> 1))
            } else {
                for _ in 0..<(Int(header >> 1) * 8) / 8 {
                    let b = try r.byte()
                    for bit in 0..<8 { out.append((b >> bit) & 1) }
                }
            }
        }
        offset += 4 + length
        return Array(out.prefix(count))
    }
}
