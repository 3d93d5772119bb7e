import Foundation
import Testing
import VidiFormats

/// `ParquetWriter` checked by parsing its files back with `ParquetReadBack` (written from the format
/// specification). `Tools/retrieval/check_parquet_export.py` checks the same files with pyarrow.
struct ParquetWriterTests {
    static func floats(_ data: [UInt8], from offset: Int) -> [Float] {
        stride(from: offset, to: data.count, by: 4).map { k in
            Float(bitPattern: UInt32(data[k]) | UInt32(data[k + 1]) << 8 | UInt32(data[k + 2]) << 16 | UInt32(data[k + 3]) << 24)
        }
    }

    @Test func idAndVectorColumnsReadBack() throws {
        let ids = ["clip a.mp4", "é/ü", ""]
        let vectors: [Float] = [1, -2, 0.5, .pi, 0, -0, 1e-30, 7, 8, 9, 10, 11]
        let file = try ParquetWriter.encode(rows: 3, columns: [.strings(name: "id", values: ids), .floatVectors(name: "vector", values: vectors, dimension: 4)],
                                            metadata: [("vidi.index", "x.vidx")])
        let table = try ParquetReadBack(file)
        #expect(table.footer[1]?.int == 1 && table.footer[3]?.int == 3 && table.footer[6]?.string == "vidi")
        let schema = try #require(table.footer[2]?.list)
        // root, id, vector (LIST), list (REPEATED), element (FLOAT)
        #expect(schema.map { $0[4]?.string } == ["schema", "id", "vector", "list", "element"])
        #expect(schema[0][5]?.int == 2)
        #expect(schema[1][1]?.int == 6 && schema[1][3]?.int == 0 && schema[1][6]?.int == 0)    // BYTE_ARRAY, REQUIRED, UTF8
        #expect(schema[2][6]?.int == 3 && schema[2][5]?.int == 1)                              // LIST with one child
        #expect(schema[3][3]?.int == 2 && schema[4][1]?.int == 4 && schema[4][3]?.int == 0)   // REPEATED; FLOAT REQUIRED
        #expect(table.footer[5]?.list?.first?[1]?.string == "vidi.index")
        let chunks = try #require(table.footer[4]?.list?.first?[1]?.list)
        #expect(chunks.map { $0[3]?[3]?.list?.compactMap(\.string) } == [["id"], ["vector", "list", "element"]])
        #expect(chunks.map { $0[3]?[4]?.int } == [0, 0])   // UNCOMPRESSED

        // id: one PLAIN page of length-prefixed UTF-8.
        let idPage = try #require(table.pages[0].first)
        #expect(table.pages[0].count == 1 && idPage.header[5]?[1]?.int == 3 && idPage.header[5]?[2]?.int == 0)
        var strings: [String] = [], at = 0
        while at < idPage.data.count {
            let n = Int(idPage.data[at]) | Int(idPage.data[at + 1]) << 8 | Int(idPage.data[at + 2]) << 16 | Int(idPage.data[at + 3]) << 24
            strings.append(String(decoding: idPage.data[(at + 4)..<(at + 4 + n)], as: UTF8.self))
            at += 4 + n
        }
        #expect(strings == ids)

        // vector: repetition levels (0 starts a row), definition levels (all present), PLAIN floats.
        let page = try #require(table.pages[1].first)
        #expect(page.header[5]?[1]?.int == 12)
        var offset = 0
        let repetition = try ParquetReadBack.levels(page.data, at: &offset, count: 12)
        let definition = try ParquetReadBack.levels(page.data, at: &offset, count: 12)
        #expect(repetition == [0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1])
        #expect(definition == [UInt8](repeating: 1, count: 12))
        let values = Self.floats(page.data, from: offset)
        #expect(values.map(\.bitPattern) == vectors.map(\.bitPattern))
    }

    /// Over a million values, pages are cut at row boundaries and together hold every vector in order.
    @Test func largeColumnsSplitIntoWholeRowPages() throws {
        let rows = 2100, dimension = 512
        let vectors = (0..<(rows * dimension)).map { Float($0 % 9973) * 0.25 }
        let file = try ParquetWriter.encode(rows: rows, columns: [.strings(name: "id", values: (0..<rows).map { "v\($0)" }),
                                                                  .floatVectors(name: "vector", values: vectors, dimension: dimension)])
        let table = try ParquetReadBack(file)
        #expect(table.pages[1].count == 2)
        var all: [Float] = []
        for page in table.pages[1] {
            let n = Int(try #require(page.header[5]?[1]?.int))
            #expect(n % dimension == 0)
            var offset = 0
            let repetition = try ParquetReadBack.levels(page.data, at: &offset, count: n)
            #expect(repetition.first == 0 && repetition.filter { $0 == 0 }.count == n / dimension)
            _ = try ParquetReadBack.levels(page.data, at: &offset, count: n)
            all += Self.floats(page.data, from: offset)
        }
        #expect(all == vectors)
    }

    @Test func inconsistentTablesAreErrors() {
        #expect(throws: ParquetError.self) { try ParquetWriter.encode(rows: 2, columns: [.strings(name: "id", values: ["a"])]) }
        #expect(throws: ParquetError.self) { try ParquetWriter.encode(rows: 1, columns: [.floatVectors(name: "v", values: [1, 2, 3], dimension: 2)]) }
        #expect(throws: ParquetError.self) { try ParquetWriter.encode(rows: 0, columns: []) }
        #expect(throws: ParquetError.self) {
            try ParquetWriter.encode(rows: 1, columns: [.strings(name: "a", values: ["x"]), .strings(name: "a", values: ["y"])])
        }
    }
}
