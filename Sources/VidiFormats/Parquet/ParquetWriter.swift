/// A Parquet table writer for what vector engines ingest: string columns and fixed-length float vector
/// columns, one row group, uncompressed PLAIN pages (Apache Parquet format 2.x, data page V1). Vectors are
/// Parquet's three-level LIST of required FLOAT (`<name>.list.element`, every row `dimension` long);
/// Arrow reads them as `list<float>`, which casts to `fixed_size_list<float, D>`.
public enum ParquetColumn: Sendable {
    case strings(name: String, values: [String])
    /// `values` holds `rows × dimension` floats, row after row.
    case floatVectors(name: String, values: [Float], dimension: Int)

    var name: String {
        switch self { case .strings(let name, _), .floatVectors(let name, _, _): return name }
    }
}

public enum ParquetWriter {
    static let magic = Array("PAR1".utf8)
    /// Values per data page at most (pages are cut at row boundaries, so a vector never spans two).
    static let valuesPerPage = 1 << 20

    enum PhysicalType: Int32 { case float = 4, byteArray = 6 }
    enum Encoding: Int32 { case plain = 0, rle = 3 }

    /// The file's bytes: `rows` rows of `columns`, plus key-value metadata in the footer.
    public static func encode(rows: Int, columns: [ParquetColumn], metadata: [(String, String)] = []) throws(ParquetError) -> [UInt8] {
        guard !columns.isEmpty else { throw ParquetError("a table needs at least one column") }
        guard Set(columns.map(\.name)).count == columns.count, !columns.contains(where: { $0.name.isEmpty }) else {
            throw ParquetError("column names must be distinct and non-empty: \(columns.map(\.name))")
        }
        for column in columns {
            switch column {
            case .strings(let name, let values):
                guard values.count == rows else { throw ParquetError("column \(name) has \(values.count) values for \(rows) rows") }
            case .floatVectors(let name, let values, let dimension):
                guard dimension >= 1, values.count == rows * dimension else {
                    throw ParquetError("column \(name) has \(values.count) floats for \(rows) rows of dimension \(dimension)")
                }
            }
        }
        var file = magic
        var chunks: [ChunkInfo] = []
        for column in columns { chunks.append(writeChunk(column, rows: rows, into: &file)) }
        var footer = ThriftCompactWriter()
        let schema = columns.flatMap(schemaElements)
        footer.structValue { m in
            m.i32(1, 1)
            m.structList(2, schema.count + 1) { e, k in
                if k == 0 {
                    e.string(4, "schema")
                    e.i32(5, Int32(columns.count))
                } else {
                    schema[k - 1](&e)
                }
            }
            m.i64(3, Int64(rows))
            m.structList(4, 1) { g, _ in
                g.structList(1, chunks.count) { c, k in
                    let chunk = chunks[k]
                    c.i64(2, Int64(chunk.offset))
                    c.structure(3) { md in
                        md.i32(1, chunk.type.rawValue)
                        md.i32List(2, [Encoding.plain.rawValue, Encoding.rle.rawValue])
                        md.stringList(3, chunk.path)
                        md.i32(4, 0)   // UNCOMPRESSED
                        md.i64(5, Int64(chunk.values))
                        md.i64(6, Int64(chunk.bytes))
                        md.i64(7, Int64(chunk.bytes))
                        md.i64(9, Int64(chunk.offset))
                    }
                }
                g.i64(2, Int64(chunks.reduce(0) { $0 + $1.bytes }))
                g.i64(3, Int64(rows))
            }
            if !metadata.isEmpty {
                m.structList(5, metadata.count) { kv, k in
                    kv.string(1, metadata[k].0)
                    kv.string(2, metadata[k].1)
                }
            }
            m.string(6, "vidi")
        }
        file += footer.bytes
        withUnsafeBytes(of: UInt32(footer.bytes.count).littleEndian) { file += $0 }
        file += magic
        return file
    }

    /// Writes the table to `path` through `DurableFile` (temporary sibling, fsync, rename).
    public static func write(rows: Int, columns: [ParquetColumn], metadata: [(String, String)] = [], to path: String) throws {
        try DurableFile.write(encode(rows: rows, columns: columns, metadata: metadata), to: path)
    }

    struct ChunkInfo {
        var type: PhysicalType, path: [String], offset: Int, bytes: Int, values: Int
    }

    /// The column's schema elements (field ids of Parquet's `SchemaElement`).
    private static func schemaElements(_ column: ParquetColumn) -> [(inout ThriftCompactWriter) -> Void] {
        switch column {
        case .strings(let name, _):
            return [{ e in
                e.i32(1, PhysicalType.byteArray.rawValue)
                e.i32(3, 0)   // REQUIRED
                e.string(4, name)
                e.i32(6, 0)   // converted type UTF8
                e.structure(10) { $0.structure(1) { _ in } }   // logical type STRING
            }]
        case .floatVectors(let name, _, _):
            return [{ e in
                e.i32(3, 0)
                e.string(4, name)
                e.i32(5, 1)
                e.i32(6, 3)   // converted type LIST
                e.structure(10) { $0.structure(3) { _ in } }   // logical type LIST
            }, { e in
                e.i32(3, 2)   // REPEATED
                e.string(4, "list")
                e.i32(5, 1)
            }, { e in
                e.i32(1, PhysicalType.float.rawValue)
                e.i32(3, 0)
                e.string(4, "element")
            }]
        }
    }

    /// Appends the column's pages to `file`.
    private static func writeChunk(_ column: ParquetColumn, rows: Int, into file: inout [UInt8]) -> ChunkInfo {
        let start = file.count
        switch column {
        case .strings(let name, let values):
            var row = 0
            repeat {
                let end = min(rows, row + valuesPerPage / 16)
                var data: [UInt8] = []
                for value in values[row..<end] {
                    let utf8 = Array(value.utf8)
                    withUnsafeBytes(of: UInt32(utf8.count).littleEndian) { data += $0 }
                    data += utf8
                }
                appendPage(data, values: end - row, into: &file)
                row = end
            } while row < rows
            return ChunkInfo(type: .byteArray, path: [name], offset: start, bytes: file.count - start, values: rows)
        case .floatVectors(let name, let values, let dimension):
            let rowsPerPage = max(1, valuesPerPage / dimension)
            var row = 0
            repeat {
                let end = min(rows, row + rowsPerPage)
                let n = end - row
                // Repetition levels: 0 starts a row, 1 continues it; definition level 1: a present element.
                var repetition: [(count: Int, value: UInt8)] = []
                for _ in 0..<n {
                    repetition.append((1, 0))
                    if dimension > 1 { repetition.append((dimension - 1, 1)) }
                }
                let present: [(count: Int, value: UInt8)] = n > 0 ? [(count: n * dimension, value: UInt8(1))] : []
                var data: [UInt8] = rleLevels(repetition) + rleLevels(present)
                data.reserveCapacity(data.count + n * dimension * 4)
                for value in values[(row * dimension)..<(end * dimension)] {
                    withUnsafeBytes(of: value.bitPattern.littleEndian) { data += $0 }
                }
                appendPage(data, values: n * dimension, into: &file)
                row = end
            } while row < rows
            return ChunkInfo(type: .float, path: [name, "list", "element"], offset: start, bytes: file.count - start, values: rows * dimension)
        }
    }

    /// Levels of bit width 1 as RLE runs of the hybrid encoding, with its 4-byte length prefix.
    static func rleLevels(_ runs: [(count: Int, value: UInt8)]) -> [UInt8] {
        var w = ThriftCompactWriter()
        var body: [UInt8] = []
        for run in runs where run.count > 0 {
            w = ThriftCompactWriter()
            w.varint(UInt64(run.count) << 1)
            body += w.bytes
            body.append(run.value)
        }
        var out: [UInt8] = []
        withUnsafeBytes(of: UInt32(body.count).littleEndian) { out += $0 }
        return out + body
    }

    /// A data page (V1, PLAIN values, RLE levels): its Thrift `PageHeader`, then `data`.
    private static func appendPage(_ data: [UInt8], values: Int, into file: inout [UInt8]) {
        var header = ThriftCompactWriter()
        header.structValue { h in
            h.i32(1, 0)   // DATA_PAGE
            h.i32(2, Int32(data.count))
            h.i32(3, Int32(data.count))
            h.structure(5) { d in
                d.i32(1, Int32(values))
                d.i32(2, Encoding.plain.rawValue)
                d.i32(3, Encoding.rle.rawValue)
                d.i32(4, Encoding.rle.rawValue)
            }
        }
        file += header.bytes
        file += data
    }
}

/// A table that cannot be written as given.
public struct ParquetError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }
}
