import Foundation
import VidiFormats

/// What `vidi features` records next to each `<id>.npy` as `<id>.json`, so `vidi localize` can place the
/// features in time without the user retyping fps, stride and window:
/// `{"backbone", "crop", "dimension", "duration", "fps", "frames", "resize", "snippets", "stride",
/// "weights", "window"}` (stride and window in frames, duration in seconds, weights = file name).
public struct FeatureSidecar: Sendable, Equatable {
    public var fps: Double
    public var stride: Int
    public var window: Int
    /// Frames in the video.
    public var frames: Int
    /// Seconds, from the container.
    public var duration: Double
    /// C of the T × C features.
    public var dimension: Int
    /// T.
    public var snippets: Int
    /// torchvision architecture name (`resnet18`, `r3d_18`, ...).
    public var backbone: String
    /// The weights' file name (no folder).
    public var weights: String
    /// Shorter side frames were resized to, and the centre crop.
    public var resize: Int
    public var crop: Int

    public init(fps: Double, stride: Int, window: Int, frames: Int, duration: Double, dimension: Int, snippets: Int,
                backbone: String, weights: String, resize: Int, crop: Int) {
        self.fps = fps; self.stride = stride; self.window = window; self.frames = frames; self.duration = duration
        self.dimension = dimension; self.snippets = snippets; self.backbone = backbone; self.weights = weights
        self.resize = resize; self.crop = crop
    }

    /// Where the features sit in time.
    public func grid() throws(LocalizationError) -> FeatureGrid {
        try FeatureGrid(stride: Double(stride), window: Double(window), fps: fps)
    }

    /// `clip.npy` → `clip.json`.
    public static func path(forFeatures file: String) -> String {
        URL(fileURLWithPath: file).deletingPathExtension().appendingPathExtension("json").path
    }

    public var json: JSONValue {
        .object(["fps": .double(fps), "stride": .int(stride), "window": .int(window), "frames": .int(frames),
                 "duration": .double(duration), "dimension": .int(dimension), "snippets": .int(snippets),
                 "backbone": .string(backbone), "weights": .string(weights), "resize": .int(resize), "crop": .int(crop)])
    }

    /// Sorted-key JSON bytes (the same sidecar always gives the same bytes).
    public func encoded() throws(LocalizationError) -> [UInt8] {
        do { return try json.encoded() } catch { throw .invalidArgument("feature sidecar: \(error)") }
    }

    /// Writes durably (temporary sibling, fsync, rename).
    public func write(to path: String) throws(LocalizationError) {
        let bytes = try encoded()
        do { try DurableFile.write(bytes, to: path) } catch { throw .io(path: path, reason: "cannot write: \(error)") }
    }

    /// Reads a sidecar; a missing or mistyped field is an error naming it.
    public static func read(path: String) throws(LocalizationError) -> FeatureSidecar {
        let value: JSONValue
        do { value = try JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw .io(path: path, reason: "cannot read feature sidecar: \(error)")
        }
        guard case .object(let fields) = value else { throw .badFormat(path: path, where: "top level", reason: "not a JSON object") }
        func number(_ key: String) throws(LocalizationError) -> Double {
            switch fields[key] {
            case .int(let x)?: return Double(x)
            case .double(let x)?: return x
            default: throw .badFormat(path: path, where: key, reason: "missing or not a number")
            }
        }
        func integer(_ key: String) throws(LocalizationError) -> Int {
            let x = try number(key)
            guard x == x.rounded(), abs(x) < 1e15 else { throw .badFormat(path: path, where: key, reason: "not an integer") }
            return Int(x)
        }
        func text(_ key: String) -> String {
            if case .string(let s)? = fields[key] { return s }
            return ""
        }
        let sidecar = FeatureSidecar(fps: try number("fps"), stride: try integer("stride"), window: try integer("window"),
                                     frames: try integer("frames"), duration: try number("duration"), dimension: try integer("dimension"),
                                     snippets: try integer("snippets"), backbone: text("backbone"), weights: text("weights"),
                                     resize: (try? integer("resize")) ?? 0, crop: (try? integer("crop")) ?? 0)
        guard sidecar.fps > 0, sidecar.stride > 0, sidecar.window > 0 else {
            throw .badFormat(path: path, where: "fps/stride/window", reason: "must be > 0 (got \(sidecar.fps), \(sidecar.stride), \(sidecar.window))")
        }
        return sidecar
    }
}
