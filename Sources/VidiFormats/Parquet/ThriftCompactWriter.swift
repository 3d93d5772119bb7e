/// Thrift's compact protocol, the encoding of Parquet's page headers and footer (Apache Thrift
/// `TCompactProtocol`): field headers carry the id delta and type in one byte, integers are zigzag
/// varints, lists have a size-and-type header. Only what `ParquetWriter` needs.
struct ThriftCompactWriter {
    enum FieldType: UInt8 { case i32 = 5, i64 = 6, binary = 8, list = 9, structure = 12 }

    private(set) var bytes: [UInt8] = []
    private var lastField: [Int16] = [0]

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }

    mutating func zigzag(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    mutating func fieldHeader(_ id: Int16, _ type: FieldType) {
        let delta = id - lastField[lastField.count - 1]
        if delta > 0, delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            zigzag(Int64(id))
        }
        lastField[lastField.count - 1] = id
    }

    mutating func i32(_ id: Int16, _ value: Int32) { fieldHeader(id, .i32); zigzag(Int64(value)) }
    mutating func i64(_ id: Int16, _ value: Int64) { fieldHeader(id, .i64); zigzag(value) }
    mutating func string(_ id: Int16, _ value: String) { fieldHeader(id, .binary); binaryValue(Array(value.utf8)) }

    mutating func binaryValue(_ value: [UInt8]) { varint(UInt64(value.count)); bytes += value }

    mutating func listHeader(_ count: Int, of type: FieldType) {
        if count < 15 { bytes.append(UInt8(count) << 4 | type.rawValue) } else { bytes.append(0xF0 | type.rawValue); varint(UInt64(count)) }
    }

    /// A struct field whose members `body` writes.
    mutating func structure(_ id: Int16, _ body: (inout ThriftCompactWriter) -> Void) {
        fieldHeader(id, .structure)
        structValue(body)
    }

    /// A struct value (a list element, or the top level): its own field-id scope, then STOP.
    mutating func structValue(_ body: (inout ThriftCompactWriter) -> Void) {
        lastField.append(0)
        body(&self)
        bytes.append(0)
        lastField.removeLast()
    }

    mutating func structList(_ id: Int16, _ count: Int, _ element: (inout ThriftCompactWriter, Int) -> Void) {
        fieldHeader(id, .list)
        listHeader(count, of: .structure)
        for k in 0..<count { structValue { element(&$0, k) } }
    }

    mutating func i32List(_ id: Int16, _ values: [Int32]) {
        fieldHeader(id, .list)
        listHeader(values.count, of: .i32)
        for v in values { zigzag(Int64(v)) }
    }

    mutating func stringList(_ id: Int16, _ values: [String]) {
        fieldHeader(id, .list)
        listHeader(values.count, of: .binary)
        for v in values { binaryValue(Array(v.utf8)) }
    }
}
