import Foundation

/// The NumPy `.npy` format at the byte level (format versions 1.0, 2.0 and 3.0).
///
/// This layer knows descriptors, shapes and raw bytes only, so any module can write arrays that
/// `numpy.load` opens (uint8 frames, int32 motion vectors) without going through `Tensor`.
public enum NPYFormat {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

    /// A decoded array: its dtype descriptor (e.g. `<f4`, `|u1`), shape, memory order and payload bytes.
    public struct Array: Sendable, Equatable {
        public var descr: String
        public var shape: [Int]
        public var fortranOrder: Bool
        public var data: [UInt8]

        public init(descr: String, shape: [Int], fortranOrder: Bool = false, data: [UInt8]) {
            self.descr = descr
            self.shape = shape
            self.fortranOrder = fortranOrder
            self.data = data
        }

        public var elementCount: Int { shape.reduce(1, *) }
    }

    public enum Error: Swift.Error, CustomStringConvertible, Equatable {
        case notNPY(String)
        case badHeader(String)
        case unsupportedDescriptor(String)
        case sizeMismatch(expected: Int, actual: Int)

        public var description: String {
            switch self {
            case .notNPY(let why): return "not a .npy file: \(why)"
            case .badHeader(let why): return "malformed .npy header: \(why)"
            case .unsupportedDescriptor(let d): return "unsupported .npy dtype descriptor '\(d)'"
            case .sizeMismatch(let expected, let actual):
                return ".npy payload holds \(actual) bytes but the header's shape and dtype need \(expected)"
            }
        }
    }

    /// Bytes per element for the descriptors Vidi reads and writes.
    public static func itemSize(of descr: String) throws -> Int {
        guard descr.count >= 3, let size = Int(descr.dropFirst(2)), size > 0 else {
            throw Error.unsupportedDescriptor(descr)
        }
        let order = descr[descr.startIndex]
        let kind = descr[descr.index(after: descr.startIndex)]
        guard "<>|=".contains(order), "fiub".contains(kind) else { throw Error.unsupportedDescriptor(descr) }
        return size
    }

    /// The header bytes (magic, version, length, dict, padding) for an array of `shape`.
    public static func header(descr: String, shape: [Int], fortranOrder: Bool = false) -> [UInt8] {
        let shapeText: String
        switch shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(shape[0]),)"
        default: shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        var dict = "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(shapeText), }"
        // Version 1.0 stores the header length in 2 bytes; fall back to 2.0 for huge headers.
        let useV2 = dict.utf8.count + 10 + 64 > 65535
        let preamble = useV2 ? 12 : 10
        let total = preamble + dict.utf8.count + 1
        let padded = (total + 63) / 64 * 64
        dict += String(repeating: " ", count: padded - total) + "\n"
        var out = magic
        out += useV2 ? [2, 0] : [1, 0]
        let length = dict.utf8.count
        if useV2 {
            out += withUnsafeBytes(of: UInt32(length).littleEndian, Swift.Array.init)
        } else {
            out += withUnsafeBytes(of: UInt16(length).littleEndian, Swift.Array.init)
        }
        out += Swift.Array(dict.utf8)
        return out
    }

    /// A whole `.npy` file: header followed by `data`.
    public static func encode(_ array: Array) -> [UInt8] {
        header(descr: array.descr, shape: array.shape, fortranOrder: array.fortranOrder) + array.data
    }

    /// Writes `array` to `path` durably (temporary file, fsync, rename).
    public static func write(_ array: Array, to path: String) throws {
        try DurableFile.write(encode(array), to: path)
    }

    /// Parses a `.npy` file's bytes; validates the header and that the payload size matches the shape.
    public static func decode(_ bytes: [UInt8]) throws -> Array {
        try bytes.withUnsafeBytes { try decode($0) }
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> Array {
        let (descr, shape, fortran, dataOffset) = try parseHeader(bytes)
        let (expected, overflow) = try itemSize(of: descr).multipliedReportingOverflow(by: shape.reduce(1, *))
        guard !overflow else { throw Error.badHeader("shape \(shape) overflows") }
        let available = bytes.count - dataOffset
        guard available >= expected else { throw Error.sizeMismatch(expected: expected, actual: available) }
        let data = Swift.Array(bytes[dataOffset..<(dataOffset + expected)])
        return Array(descr: descr, shape: shape, fortranOrder: fortran, data: data)
    }

    public static func read(path: String) throws -> Array {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try data.withUnsafeBytes { try decode($0) }
    }

    /// Parses the header; returns descriptor, shape, fortran flag and the payload's byte offset.
    public static func parseHeader(_ bytes: UnsafeRawBufferPointer) throws -> (String, [Int], Bool, Int) {
        guard bytes.count >= 10 else { throw Error.notNPY("only \(bytes.count) bytes") }
        guard Swift.Array(bytes[0..<6]) == magic else { throw Error.notNPY("missing \\x93NUMPY magic") }
        let major = bytes[6]
        let headerLength: Int
        let preamble: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            preamble = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw Error.badHeader("truncated version \(major) preamble") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            preamble = 12
        default:
            throw Error.badHeader("unknown format version \(major)")
        }
        guard headerLength >= 0, preamble + headerLength <= bytes.count else {
            throw Error.badHeader("header length \(headerLength) runs past the end of the file (\(bytes.count) bytes)")
        }
        let text = String(decoding: bytes[preamble..<(preamble + headerLength)], as: UTF8.self)
        let descr = try stringValue(of: "descr", in: text)
        _ = try itemSize(of: descr)
        let fortran = try boolValue(of: "fortran_order", in: text)
        let shape = try shapeValue(in: text)
        return (descr, shape, fortran, preamble + headerLength)
    }

    private static func valueStart(of key: String, in text: String) throws -> Substring {
        for quote in ["'", "\""] {
            if let range = text.range(of: "\(quote)\(key)\(quote)") {
                let rest = text[range.upperBound...].drop(while: { $0 == " " })
                guard rest.first == ":" else { throw Error.badHeader("no ':' after '\(key)'") }
                return rest.dropFirst().drop(while: { $0 == " " })
            }
        }
        throw Error.badHeader("missing key '\(key)'")
    }

    private static func stringValue(of key: String, in text: String) throws -> String {
        let rest = try valueStart(of: key, in: text)
        guard let quote = rest.first, quote == "'" || quote == "\"" else {
            throw Error.badHeader("'\(key)' is not a string")
        }
        let body = rest.dropFirst()
        guard let end = body.firstIndex(of: quote) else { throw Error.badHeader("unterminated '\(key)'") }
        return String(body[..<end])
    }

    private static func boolValue(of key: String, in text: String) throws -> Bool {
        let rest = try valueStart(of: key, in: text)
        if rest.hasPrefix("True") { return true }
        if rest.hasPrefix("False") { return false }
        throw Error.badHeader("'\(key)' is not True or False")
    }

    private static func shapeValue(in text: String) throws -> [Int] {
        let rest = try valueStart(of: "shape", in: text)
        guard rest.first == "(", let close = rest.firstIndex(of: ")") else {
            throw Error.badHeader("'shape' is not a tuple")
        }
        let inner = rest[rest.index(after: rest.startIndex)..<close]
        var shape: [Int] = []
        for part in inner.split(separator: ",") {
            let trimmed = part.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "L", with: "")
            if trimmed.isEmpty { continue }
            guard let dim = Int(trimmed), dim >= 0 else { throw Error.badHeader("bad dimension '\(trimmed)' in shape") }
            shape.append(dim)
        }
        // Guard against overflow from absurd shapes before anyone multiplies them out.
        var count = 1
        for dim in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw Error.badHeader("shape \(shape) overflows") }
            count = product
        }
        return shape
    }
}
