import VidiMedia
import VidiFormats

/// How a stage stores decoded frames in a sample: one stacked uint8 `.npy` of shape (T, H, W, 3), or one
/// image per frame (`name.0000.jpg`, ...) encoded by VidiMedia's `ImageWriter`.
public enum FrameEncoding: Sendable, Equatable {
    case npy
    case images(ImageWriter)

    /// Reads `format:` (npy, jpg, png) and `quality:` (JPEG only, 1...100, default 90).
    static func parse(_ map: SpecMapping?) throws -> FrameEncoding {
        let formatNode = map?.optional("format")
        let format = try formatNode?.choice(["npy", "jpg", "png"]) ?? "npy"
        let qualityNode = map?.optional("quality")
        if let qualityNode, format != "jpg" { throw qualityNode.error("'quality' applies to format jpg only") }
        switch format {
        case "jpg":
            let quality = try qualityNode?.int() ?? 90
            if let qualityNode, !(1...100).contains(quality) { throw qualityNode.error("must be 1...100, found \(quality)") }
            return .images(.jpeg(quality: quality))
        case "png": return .images(.png)
        default: return .npy
        }
    }

    /// The file names this encoding gives `name` (for duplicate checks).
    func outputs(_ name: String) -> [String] {
        switch self {
        case .npy: return ["\(name).npy"]
        case .images(let writer): return ["\(name).*.\(writer.fileExtension)"]
        }
    }

    /// Emits `frames` (all of one size) as `name.npy` with shape (T, H, W, 3), or as `name.0000.jpg`, ...
    func emit(_ frames: [Frame], name: String, into video: VideoContext) throws {
        let images = try frames.map { try RGBImage(frame: $0) }
        switch self {
        case .npy:
            let height = images.first?.height ?? 0
            let width = images.first?.width ?? 0
            var bytes = NPYFormat.header(descr: "|u1", shape: [images.count, height, width, 3])
            bytes.reserveCapacity(bytes.count + images.count * height * width * 3)
            for image in images {
                guard image.height == height, image.width == width else {
                    throw PipelineError.stage(stage: name, message: "frames differ in size (\(image.width)x\(image.height) vs \(width)x\(height))")
                }
                bytes += image.pixels
            }
            try video.emit("\(name).npy", bytes)
        case .images(let writer):
            for (i, image) in images.enumerated() {
                let encoded = try writer.encode(rgb: image.pixels, width: image.width, height: image.height, label: "\(video.path) frame \(frames[i].index)")
                try video.emit("\(name).\(Self.number(i)).\(writer.fileExtension)", encoded)
            }
        }
    }

    static func number(_ i: Int) -> String {
        let text = String(i)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }
}

/// H x W x 3 RGB bytes of one frame (what frame stages write and model stages read).
public struct RGBImage: Sendable {
    public var width: Int
    public var height: Int
    public var pixels: [UInt8]

    public init(frame: Frame) throws {
        guard let rgb = frame.rgb else { throw PipelineError.stage(stage: "frames", message: "frame \(frame.index) is not RGB8") }
        (width, height, pixels) = (frame.width, frame.height, rgb)
    }
}
