import VidiFormats

/// A generated sample as the files Python reads: named `.npy` arrays and a JSON of indices and parameters.
public protocol PretextSampleFiles {
    /// (file name, `.npy` bytes), in a fixed order.
    func arrays() -> [(name: String, bytes: [UInt8])]
    /// The sampled indices and parameters.
    var parameters: JSONValue { get }
}

enum NPY {
    static func bytes(_ values: [UInt8], shape: [Int]) -> [UInt8] {
        NPYFormat.encode(.init(descr: "|u1", shape: shape, data: values))
    }

    static func floats(_ values: [Float], shape: [Int]) -> [UInt8] {
        NPYFormat.encode(.init(descr: "<f4", shape: shape, data: values.withUnsafeBytes { Array($0) }))
    }
}

extension CropBox {
    var json: JSONValue { .object(["x": .int(x), "y": .int(y), "width": .int(width), "height": .int(height)]) }
}

/// A MoSI stack: `clip-<label>.npy` (frames x crop x crop x 3 uint8) per class, or one `clips.npy`
/// (classes x frames x crop x crop x 3) with `labels.npy` when `stacked`.
public struct MoSIStack: PretextSampleFiles, Sendable {
    public var clips: [MoSIClip]
    public var configuration: MoSIConfiguration
    public var speeds: [(dx: Int, dy: Int)]
    public var stacked: Bool

    public init(clips: [MoSIClip], generator: MoSIGenerator, stacked: Bool = false) {
        self.clips = clips
        self.configuration = generator.configuration
        self.speeds = generator.speeds
        self.stacked = stacked
    }

    public func arrays() -> [(name: String, bytes: [UInt8])] {
        let k = configuration.cropSize, t = configuration.frames
        if stacked {
            return [("clips.npy", NPY.bytes(clips.flatMap(\.pixels), shape: [clips.count, t, k, k, 3])),
                    ("labels.npy", NPYFormat.encode(.init(descr: "<i8", shape: [clips.count], data: clips.map { Int64($0.label) }.withUnsafeBytes { Array($0) })))]
        }
        return clips.map { ("clip-\($0.label).npy", NPY.bytes($0.pixels, shape: [t, k, k, 3])) }
    }

    public var parameters: JSONValue {
        let c = configuration
        let clipValues: [JSONValue] = clips.map { clip in
            var o: [String: JSONValue] = [
                "label": .int(clip.label),
                "speed": .array([.int(speeds[clip.label].dx), .int(speeds[clip.label].dy)]),
                "generated_speed": .array([.int(clip.generatedSpeed.dx), .int(clip.generatedSpeed.dy)]),
                "flipped": .bool(clip.flipped),
                "standard_crop": clip.standardCrop.json,
                "x_positions": .array(clip.xPositions.map { .int($0) }),
                "y_positions": .array(clip.yPositions.map { .int($0) }),
            ]
            if let mask = clip.mask { o["static_mask"] = .object(["frame": .int(mask.frame), "box": mask.box.json]) }
            return .object(o)
        }
        return .object([
            "task": .string("mosi"),
            "standard_size": .int(c.standardSize), "crop_size": .int(c.cropSize), "frames": .int(c.frames),
            "color_jitter": .bool(c.colorJitter != nil), "static_mask": .bool(c.staticMaskRatio != nil),
            "flip": .string(c.flip.rawValue),
            "speed_convention": .string("speed (dx, dy) is the window's motion in units of (L - crop) / 2 per clip; image content moves by -speed"),
            "clips": .array(clipValues),
        ])
    }
}

extension HiCoSample: PretextSampleFiles {
    public func arrays() -> [(name: String, bytes: [UInt8])] {
        let t = frameIndices.first?.count ?? 0, k = crops.first?.width ?? 0
        return [("clips.npy", NPY.bytes(pixels, shape: [frameIndices.count, t, k, k, 3]))]
    }

    public var parameters: JSONValue {
        .object([
            "task": .string("hico"),
            "centres": .array(centres.centres.map { .double($0) }),
            "distance": .double(centres.distance),
            "centre_range": .array([.double(centres.lowest), .double(centres.highest)]),
            "frame_indices": .array(frameIndices.map { .array($0.map { .int($0) }) }),
            "crops": .array(crops.map(\.json)),
        ])
    }
}

extension CMDSample: PretextSampleFiles {
    public func arrays() -> [(name: String, bytes: [UInt8])] {
        let k = Int(Double(keyframe.count / 3).squareRoot())
        let m = layout.motion.count
        return [
            ("clip.npy", NPY.bytes(clip, shape: [layout.clip.count, k, k, 3])),
            ("motion.npy", NPY.floats(motion, shape: [m, k, k, 2])),
            ("negatives.npy", NPY.floats(negatives, shape: [layout.negatives.count, m, k, k, 2])),
            ("keyframe.npy", NPY.bytes(keyframe, shape: [k, k, 3])),
        ]
    }

    public var parameters: JSONValue {
        .object([
            "task": .string("cmd"),
            "clip_indices": .array(layout.clip.map { .int($0) }),
            "motion_indices": .array(layout.motion.map { .int($0) }),
            "negative_indices": .array(layout.negatives.map { .array($0.map { .int($0) }) }),
            "keyframe_index": .int(layout.keyframe),
            "crop": crop.json,
            "flipped": .bool(flipped),
            "motion_scale": .string("dense dst - src pixels, clamped to [-10, 10], divided by 10"),
        ])
    }
}
