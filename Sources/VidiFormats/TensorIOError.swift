/// Why a tensor file (.safetensors, .npz, or a .npy read as a tensor) could not be read or written.
///
/// One type for all tensor containers so callers catch one thing; `kind` lets tests and callers branch,
/// `path` and `key` say where, `reason` says what in words.
public struct TensorFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The file could not be opened, mapped, read or written.
        case io
        /// The file ends before a structure it announces (header, entry, payload).
        case truncated
        /// A declared header length is larger than any sane header.
        case headerTooLarge
        /// The header is not valid UTF-8 / JSON / the expected structure.
        case invalidHeader
        /// The same tensor or archive member name appears twice.
        case duplicateKey
        /// One entry's description is malformed (missing field, bad shape, bad type).
        case invalidEntry
        /// A dtype name the format does not define.
        case unknownDType
        /// A dtype the format defines but Vidi cannot convert to a tensor (or cannot write).
        case unsupportedDType
        /// The payload's byte count disagrees with shape and dtype.
        case sizeMismatch
        /// Data offsets overlap, leave gaps, or run outside the data section.
        case badOffsets
        /// The requested tensor or member is not in the file.
        case missingEntry
        /// The zip container of an .npz is malformed.
        case badArchive
        /// An archive member's CRC-32 does not match its contents.
        case checksumMismatch
        /// The data is larger than the container, as Vidi writes it, can hold (zip without zip64).
        case tooLarge
        /// An archive member uses a compression method other than stored or deflate.
        case unsupportedCompression
    }

    public var kind: Kind
    public var path: String?
    public var key: String?
    public var reason: String

    public init(_ kind: Kind, path: String? = nil, key: String? = nil, _ reason: String) {
        self.kind = kind
        self.path = path
        self.key = key
        self.reason = reason
    }

    /// The same error with the file's path attached, for errors raised while parsing bytes.
    package func at(path: String) -> TensorFileError {
        var copy = self
        if copy.path == nil { copy.path = path }
        return copy
    }

    public var description: String {
        var text = ""
        if let path { text += "\(path): " }
        if let key { text += "'\(key)': " }
        return text + reason
    }
}
