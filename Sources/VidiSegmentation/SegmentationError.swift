/// What went wrong in VidiSegmentation, with the file, frame or object it concerns.
public struct SegmentationError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Sendable, Equatable {
        /// A PNG that cannot be read or is not an indexed / grayscale 8-bit image.
        case badImage
        /// A dataset or results folder without what the layout requires.
        case badLayout
        /// Masks that do not fit together (sizes, object ids).
        case mismatch
        /// A file system failure (read, write, list).
        case io
        /// An argument out of its range.
        case invalidArgument
        /// Weights that do not fit the architecture.
        case badWeights
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
