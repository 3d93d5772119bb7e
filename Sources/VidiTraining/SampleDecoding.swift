import Foundation
import VidiMedia
import VidiTensor

/// One decoded member of a sample.
public enum SampleValue: Sendable, Equatable {
    /// A `.npy` array, in the nearest tensor dtype (uint8 frames become int32, float64 float32).
    case tensor(Tensor)
    /// A `.png`/`.jpg` image as H x W x 3 RGB bytes.
    case image(DecodedImage)
    /// A `.json` document.
    case json(JSONValue)
    /// A `.cls` class index (WebDataset: `int(text)`).
    case label(Int)
    /// `.txt` (and other text members) as UTF-8.
    case text(String)
    /// Anything else, undecoded.
    case bytes([UInt8])

    public static func == (a: SampleValue, b: SampleValue) -> Bool {
        switch (a, b) {
        case (.tensor(let x), .tensor(let y)): return x.dtype == y.dtype && x.shape == y.shape && x.scalars == y.scalars
        case (.image(let x), .image(let y)): return x == y
        case (.json(let x), .json(let y)): return x == y
        case (.label(let x), .label(let y)): return x == y
        case (.text(let x), .text(let y)): return x == y
        case (.bytes(let x), .bytes(let y)): return x == y
        default: return false
        }
    }
}

/// A sample whose members are decoded, keyed by extension.
public struct DecodedSample: Sendable {
    public var key: String
    public var shard: String
    public var values: [String: SampleValue]
}

/// Decodes members by their last extension, as WebDataset's default decoders do.
public enum SampleDecoder {
    public static func decode(_ raw: RawSample) throws -> DecodedSample {
        var values: [String: SampleValue] = [:]
        for (name, bytes) in raw.members {
            values[name] = try decodeMember(name, bytes, key: raw.key)
        }
        return DecodedSample(key: raw.key, shard: raw.shard, values: values)
    }

    static func decodeMember(_ name: String, _ bytes: [UInt8], key: String) throws -> SampleValue {
        let ext = name.split(separator: ".").last.map(String.init) ?? name
        do {
            switch ext {
            case "npy":
                return .tensor(try Tensor(npy: NPYFormat.decode(bytes), name: "\(key).\(name)"))
            case "json", "jsn":
                return .json(try JSONValue.parse(bytes))
            case "cls", "cls2", "index", "inx", "id":
                let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                guard let value = Int(text) else { throw TrainingError.badSample(key: key, reason: "\(name) '\(text)' is not an integer") }
                return .label(value)
            case "txt", "text", "transcript":
                return .text(String(decoding: bytes, as: UTF8.self))
            case "png", "jpg", "jpeg":
                return .image(try ImageDecoder.decodeRGB(bytes, label: "\(key).\(name)"))
            default:
                return .bytes(bytes)
            }
        } catch let error as TrainingError {
            throw error
        } catch {
            throw TrainingError.badSample(key: key, reason: "cannot decode \(name): \(error)")
        }
    }
}
