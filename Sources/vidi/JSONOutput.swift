import Foundation
import VidiFormats

/// The CLI's one way to print JSON (`--json`): compact, one document per line, keys sorted and in
/// snake_case, strings escaped by the encoder, non-finite numbers as strings. An encoding failure is an
/// error the command reports, never a silently missing line.
enum JSONOutput {
    static func line<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A document built as a `JSONValue` prints its keys exactly as given (`J&F-Mean`), sorted.
    static func print(_ value: JSONValue) throws {
        FileHandle.standardOutput.write(Data((String(decoding: try value.encoded(), as: UTF8.self) + "\n").utf8))
    }

    static func print<T: Encodable>(_ value: T) throws {
        FileHandle.standardOutput.write(Data((try line(value) + "\n").utf8))
    }
}
