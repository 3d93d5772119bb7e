import VidiMedia
import VidiFormats

/// `probe`: the video's properties from its packet index (no decoding) into the sample's `.json` under
/// `video`; with `timestamps: true` also every frame's presentation time as `timestamps.npy` (float64).
struct ProbeStage: PipelineStage {
    let name = "probe"
    var timestamps = false
    var outputs: [String] { timestamps ? ["timestamps.npy"] : [] }

    static func make(_ parameters: StageParameters) throws -> any PipelineStage {
        try parameters.read { map in
            ProbeStage(timestamps: try map?.optional("timestamps")?.bool() ?? false)
        }
    }

    func process(_ video: VideoContext) throws {
        let info = try video.reader().info
        video.metadata["video"] = .object([
            "container": .string(info.container),
            "codec": .string(info.codec),
            "width": .int(info.width),
            "height": .int(info.height),
            "rotation": .int(info.rotation),
            "pixel_format": .string(info.pixelFormat),
            "fps": .double(info.averageFrameRate),
            "duration": .double(info.duration),
            "bit_rate": .int(info.bitRate),
            "frame_count": .int(info.frameCount),
            "keyframe_indices": .array(info.keyframeIndices.map { .int($0) }),
            "has_b_frames": .bool(info.hasBFrames),
        ])
        if timestamps {
            var bytes = NPYFormat.header(descr: "<f8", shape: [info.frameTimestamps.count])
            for t in info.frameTimestamps { withUnsafeBytes(of: t.bitPattern.littleEndian) { bytes += $0 } }
            try video.emit("timestamps.npy", bytes)
        }
    }
}
