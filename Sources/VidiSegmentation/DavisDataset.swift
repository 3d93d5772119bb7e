import Foundation

/// A DAVIS-layout dataset as the DAVIS 2017 evaluation reads it (`davis2017/davis.py`):
/// `Annotations/<resolution>/<seq>/*.png` (palette PNGs, value = object id, 255 = void) and
/// `ImageSets/2017/<set>.txt` (one sequence per line). Frames are the annotation files, sorted by name.
/// Unlike the official reader it does not insist on `JPEGImages/` (the measures never look at pixels).
public struct DavisDataset: Sendable {
    public static let sets = ["train", "val", "test-dev", "test-challenge"]

    public let root: String
    public let set: String
    public let resolution: String

    public init(root: String, set: String = "val", resolution: String = "480p") throws(SegmentationError) {
        guard Self.sets.contains(set) else {
            throw SegmentationError(.invalidArgument, "unknown set '\(set)' (\(Self.sets.joined(separator: ", ")))")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SegmentationError(.badLayout, "\(root): DAVIS folder not found")
        }
        self.root = root
        self.set = set
        self.resolution = resolution
    }

    public var annotationsPath: String { "\(root)/Annotations/\(resolution)" }
    public var imageSetPath: String { "\(root)/ImageSets/2017/\(set).txt" }

    /// The sequences listed in the set's image-set file, in file order.
    public func sequences() throws(SegmentationError) -> [String] {
        guard let data = FileManager.default.contents(atPath: imageSetPath) else {
            throw SegmentationError(.badLayout, "\(imageSetPath): sequence list for set '\(set)' not found")
        }
        return String(decoding: data, as: UTF8.self)
            .split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    /// A sequence's annotation frame ids (file names without `.png`), sorted as the official glob sorts.
    public func frameIDs(of sequence: String) throws(SegmentationError) -> [String] {
        try Self.pngIDs(in: "\(annotationsPath)/\(sequence)")
    }

    /// The ids of `*.png` files in `folder`, sorted by name (byte order, as numpy sorts strings).
    public static func pngIDs(in folder: String) throws(SegmentationError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw SegmentationError(.badLayout, "\(folder): cannot list the folder")
        }
        return names.filter { $0.hasSuffix(".png") }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            .map { String($0.dropLast(4)) }
    }

    /// Ground truth of one frame.
    public func annotation(_ sequence: String, _ frameID: String) throws(SegmentationError) -> LabelMask {
        try IndexedPNG.read(path: "\(annotationsPath)/\(sequence)/\(frameID).png")
    }
}
