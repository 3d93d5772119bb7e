import Foundation
import VidiFormats
import VidiTensor

/// Writes a localization dataset as WebDataset tar shards for the shared training runtime.
///
/// Every video becomes one sample keyed by its position (`000042`, since video ids may hold dots):
/// - `features.npy`: the video resampled to the model grid (`GridVideo`), `[C, T]` float32, so every
///   sample has one shape and the runtime's collation stacks them into `[B, C, T]`;
/// - `json`: `id`, `subset`, `duration`, `scale` (original positions per grid step), `grid`
///   (`stride`/`window`/`fps`), `classes` (the dataset's class list), `truths` (`[start, end, class]` in
///   grid units) and `annotations` (ActivityNet segments in seconds, for the exact evaluator).
public enum LocalizationShards {
    /// Writes `videos` into shards of at most `perShard` samples, `<prefix>-000000.tar`, ... under
    /// `directory`; returns the shard paths.
    @discardableResult
    public static func write(_ dataset: FeatureDataset, subset: String, classes: [String], gridLength: Int, grid: FeatureGrid,
                             perShard: Int, directory: String, prefix: String) throws -> [String] {
        guard gridLength >= 1, perShard >= 1 else { throw LocalizationError.invalidArgument("grid length and samples per shard must be at least 1") }
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw LocalizationError.io(path: directory, reason: "cannot create the folder: \(error)")
        }
        var paths: [String] = []
        var start = 0
        while start < dataset.items.count {
            let path = (directory as NSString).appendingPathComponent(String(format: "%@-%06d.tar", prefix, paths.count))
            let items = dataset.items[start..<Swift.min(start + perShard, dataset.items.count)]
            try DurableFile.write(to: path) { file in
                for (offset, item) in items.enumerated() {
                    let key = String(format: "%06d", start + offset)
                    for (name, bytes) in try members(item, subset: subset, classes: classes, gridLength: gridLength, grid: grid) {
                        try file.write(TarWriter.header(name: "\(key).\(name)", size: bytes.count))
                        try file.write(bytes)
                        try file.write(zeros: TarWriter.padding(after: bytes.count))
                    }
                }
                try file.write(zeros: 2 * TarWriter.blockSize)
            }
            paths.append(path)
            start += perShard
        }
        return paths
    }

    static func members(_ item: FeatureDataset.Item, subset: String, classes: [String], gridLength: Int,
                        grid: FeatureGrid) throws -> [(String, [UInt8])] {
        var video = try GridVideo(features: item.features, gridLength: gridLength)
        // Training labels must be the model's classes; held-out videos may hold others, which the
        // evaluator still counts (through `annotations`) but the loss never sees.
        let known = subset == "training" ? item.annotations : item.annotations.filter { classes.contains($0.label) }
        try video.setTruths(known, classes: classes, grid: grid)
        let features = try Tensor(video.features, shape: [video.channels, video.length])
        var object: [String: JSONValue] = [
            "id": .string(item.id), "subset": .string(subset), "scale": .double(video.scale),
            "grid": .object(["stride": .double(grid.stride), "window": .double(grid.window), "fps": .double(grid.fps)]),
            "classes": .array(classes.map(JSONValue.string)),
            "truths": .array(video.truths.map { .array([.double($0.start), .double($0.end), .int($0.label)]) }),
            "annotations": .array(item.annotations.map { .object(["segment": .array([.double($0.start), .double($0.end)]), "label": .string($0.label)]) }),
        ]
        object["duration"] = item.duration.map(JSONValue.double) ?? .null
        return [("features.npy", NPYFormat.encode(features.npyArray)), ("json", try JSONValue.object(object).encoded())]
    }
}

/// One packed sample read back (the inverse of `LocalizationShards`' members).
public struct PackedVideo: Sendable {
    public var id: String
    public var duration: Double?
    public var grid: FeatureGrid
    public var classes: [String]
    public var annotations: [LabeledSegment]
    public var video: GridVideo

    /// `features`: the sample's `[C, T]` array; `metadata`: its JSON document.
    public init(features: Tensor, metadata: JSONValue, key: String) throws(LocalizationError) {
        func bad(_ reason: String) -> LocalizationError { .badFormat(path: key, where: "json", reason: reason) }
        guard case .object(let o) = metadata, case .string(let id)? = o["id"], let scale = o["scale"]?.number,
              case .object(let g)? = o["grid"], let stride = g["stride"]?.number, let window = g["window"]?.number, let fps = g["fps"]?.number,
              case .array(let classNames)? = o["classes"], case .array(let truths)? = o["truths"], case .array(let annotations)? = o["annotations"]
        else { throw bad("not a packed localization sample (needs id, scale, grid, classes, truths, annotations)") }
        guard features.rank == 2, features.dtype == .float32 else { throw bad("features.npy must be C × T float32, got \(features.shape)") }
        self.id = id
        duration = o["duration"]?.number
        self.grid = try FeatureGrid(stride: stride, window: window, fps: fps)
        classes = try classNames.map { value throws(LocalizationError) -> String in
            guard case .string(let name) = value else { throw bad("classes must be strings") }
            return name
        }
        self.annotations = try annotations.map { value throws(LocalizationError) -> LabeledSegment in
            guard case .object(let a) = value, case .array(let s)? = a["segment"], s.count == 2, let start = s[0].number, let end = s[1].number,
                  case .string(let label)? = a["label"] else { throw bad("annotations must be {segment: [s, e], label}") }
            return LabeledSegment(start: start, end: end, label: label)
        }
        let parsed = try truths.map { value throws(LocalizationError) -> (start: Double, end: Double, label: Int) in
            guard case .array(let t) = value, t.count == 3, let s = t[0].number, let e = t[1].number, case .int(let k) = t[2], k >= 0, k < classNames.count
            else { throw bad("truths must be [start, end, class index]") }
            return (s, e, k)
        }
        video = GridVideo(gridFeatures: features.contiguous().scalars, channels: features.shape[0], length: features.shape[1], scale: scale, truths: parsed)
    }
}

extension JSONValue {
    /// An int or double as a Double.
    var number: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }
}
