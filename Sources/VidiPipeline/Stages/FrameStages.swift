import VidiMedia
import VidiFormats

/// `frames`: decodes the frames a VidiMedia `FrameSampler` picks, at the current geometry.
/// `{sampler: {uniform: 8}, format: npy|jpg|png, quality: 90, name: frames}`. The sampled indices and
/// timestamps go into the `.json` under the stage's name.
struct FramesStage: PipelineStage {
    let name = "frames"
    var sampler: FrameSampler
    var encoding: FrameEncoding
    var output: String
    var outputs: [String] { encoding.outputs(output) }
    var role: StageRole { .frameProducer }
    var produces: [ProductKey] { [.frames(output)] }

    static func make(_ parameters: StageParameters) throws -> any PipelineStage {
        guard let map = try parameters.mapping() else { throw parameters.keyNode.error("needs a sampler, e.g. {sampler: {uniform: 8}}") }
        let sampler = try parseSampler(try map.required("sampler"))
        let encoding = try FrameEncoding.parse(map)
        let output = try map.optional("name")?.string() ?? "frames"
        try map.finish()
        return FramesStage(sampler: sampler, encoding: encoding, output: output)
    }

    func process(_ video: VideoContext) throws {
        let reader = try video.reader()
        let geometry = video.geometry
        let groups = try perVideo(sampler, index: video.entry.index).clips(for: reader.info)
        try video.reserve(groups.reduce(0) { $0 + $1.count } * geometry.frameBytes(reader.info), for: name)
        var all: [Int] = []
        for group in groups { all += group }
        let found = try video.decodeFrames(.clips([all]))
        try video.checkDeadline()
        let timestamps = reader.info.frameTimestamps
        // What was written, for later stages: the clips and their frames, concatenated.
        var written: (clips: [[Int]], frames: [Frame]) = ([], [])
        var metadata: [String: JSONValue]
        if groups.count == 1 {
            // Damaged and kept: the frames that decoded, in sampled order; the indices say which they are.
            let kept = all.filter { found[$0] != nil }
            guard !kept.isEmpty else { throw PipelineError.stage(stage: name, message: "none of the \(all.count) sampled frames could be decoded") }
            written = ([kept], kept.compactMap { found[$0] })
            try encoding.emit(written.frames, name: output, into: video)
            metadata = [
                "indices": .array([.array(kept.map { .int($0) })]),
                "timestamps": .array([.array(kept.map { .double(timestamps[$0]) })]),
            ]
        } else {
            // Clip samplers: one array (or image run) per clip; a damaged clip is left out whole (its
            // number goes into `missing_clips`), so every written clip has its full length.
            var missingClips: [JSONValue] = []
            for (c, group) in groups.enumerated() {
                let frames = group.compactMap { found[$0] }
                guard frames.count == group.count else { missingClips.append(.int(c)); continue }
                try encoding.emit(frames, name: "\(output).\(FrameEncoding.number(c))", into: video)
                written.clips.append(group)
                written.frames += frames
            }
            guard !written.clips.isEmpty else { throw PipelineError.stage(stage: name, message: "none of the \(groups.count) clips could be decoded") }
            metadata = [
                "indices": .array(groups.map { .array($0.map { .int($0) }) }),
                "timestamps": .array(groups.map { .array($0.map { .double(timestamps[$0]) }) }),
            ]
            if !missingClips.isEmpty { metadata["missing_clips"] = .array(missingClips) }
        }
        video.framesDecoded += written.frames.count
        if video.framesToKeep.contains(output) {
            video.keepFrames(DecodedFrames(clips: written.clips, frames: written.frames), as: output)
        }
        video.metadata[output] = .object(metadata)
    }
}

/// `keyframes`: decodes only the keyframes (non-key packets withheld from the decoder) at the current geometry.
/// `{format: npy|jpg|png, quality: 90, name: keyframes}`; their indices go into the `.json`.
struct KeyframesStage: PipelineStage {
    let name = "keyframes"
    var encoding: FrameEncoding
    var output: String
    var outputs: [String] { encoding.outputs(output) }
    var role: StageRole { .frameProducer }
    var produces: [ProductKey] { [.frames(output)] }
    var needsFrameIndex: Bool { false }

    static func make(_ parameters: StageParameters) throws -> any PipelineStage {
        try parameters.read { map in
            KeyframesStage(encoding: try FrameEncoding.parse(map), output: try map?.optional("name")?.string() ?? "keyframes")
        }
    }

    func process(_ video: VideoContext) throws {
        let frames = try video.keyframes(reservingFor: name)
        guard !frames.isEmpty else { throw PipelineError.stage(stage: name, message: "no keyframe could be decoded") }
        try encoding.emit(frames, name: output, into: video)
        if video.framesToKeep.contains(output) {
            video.keepFrames(DecodedFrames(clips: [frames.map(\.index)], frames: frames), as: output)
        }
        video.metadata[output] = .object(["indices": .array(frames.map { .int($0.index) })])
    }
}

/// `clips`: cuts fixed-length time windows (`length`, `stride` seconds) or the time ranges listed in a
/// manifest column (`ranges_column`, a JSON list of [start, end] seconds) and samples `frames` frames
/// evenly in time from each, at the current geometry: `clip.000.npy` (F, H, W, 3) per clip.
struct ClipsStage: PipelineStage {
    let name = "clips"
    enum Ranges: Sendable {
        case fixed(length: Double, stride: Double, maxClips: Int?)
        case column(String)
    }
    var ranges: Ranges
    var framesPerClip: Int
    var encoding: FrameEncoding
    var output: String
    var outputs: [String] { encoding.outputs("\(output).*") }
    var role: StageRole { .frameProducer }
    var produces: [ProductKey] { [.frames(output)] }

    static func make(_ parameters: StageParameters) throws -> any PipelineStage {
        guard let map = try parameters.mapping() else { throw parameters.keyNode.error("needs length (seconds) or ranges_column") }
        let ranges: Ranges
        let length = map.optional("length")
        let column = map.optional("ranges_column")
        switch (length, column) {
        case (let length?, nil):
            let seconds = try length.positiveDouble()
            let stride = try map.optional("stride")?.positiveDouble() ?? seconds
            ranges = .fixed(length: seconds, stride: stride, maxClips: try map.optional("max_clips")?.positiveInt())
        case (nil, let column?):
            ranges = .column(try column.string())
        case (_?, _?):
            throw map.owner.error("give either length or ranges_column, not both")
        case (nil, nil):
            throw map.owner.error("needs length (seconds) or ranges_column")
        }
        let count = try map.optional("frames")?.positiveInt() ?? 8
        let encoding = try FrameEncoding.parse(map)
        let output = try map.optional("name")?.string() ?? "clip"
        try map.finish()
        return ClipsStage(ranges: ranges, framesPerClip: count, encoding: encoding, output: output)
    }

    func windows(_ video: VideoContext, info: VideoInfo) throws -> [(Double, Double)] {
        switch ranges {
        case .fixed(let length, let stride, let maxClips):
            let start = info.frameTimestamps.first ?? 0
            let end = info.endTime
            var windows: [(Double, Double)] = []
            var t = start
            // Windows must fit; a tolerance of 1e-6 s absorbs rounding in the timestamps.
            while t + length <= end + 1e-6, windows.count < (maxClips ?? Int.max) {
                windows.append((t, t + length))
                t += stride
            }
            return windows
        case .column(let column):
            guard case .array(let items)? = video.entry.columns[column] else {
                throw PipelineError.stage(stage: name, message: "manifest column '\(column)' is missing or not a list of [start, end]")
            }
            return try items.map { item in
                guard case .array(let pair) = item, pair.count == 2, let s = pair[0].number, let e = pair[1].number, e > s else {
                    throw PipelineError.stage(stage: name, message: "'\(column)' holds a range that is not [start, end] with end > start")
                }
                return (s, e)
            }
        }
    }

    func process(_ video: VideoContext) throws {
        let reader = try video.reader()
        let info = reader.info
        let geometry = video.geometry
        var clips: [JSONValue] = []
        let keep = video.framesToKeep.contains(output)
        var kept: (clips: [[Int]], frames: [Frame]) = ([], [])
        var written = 0
        let windows = try windows(video, info: info)
        try video.reserve(windows.count * framesPerClip * geometry.frameBytes(info), for: name)
        for (c, window) in windows.enumerated() {
            let step = (window.1 - window.0) / Double(framesPerClip)
            var indices: [Int] = []
            for k in 0..<framesPerClip {
                let t = window.0 + (Double(k) + 0.5) * step
                guard let index = info.frameIndex(displayedAt: t) else {
                    throw PipelineError.stage(stage: name, message: "time \(t) s is outside the video")
                }
                indices.append(index)
            }
            let found = try video.decodeFrames(.clips([indices]))
            try video.checkDeadline()
            var clip: [String: JSONValue] = ["start": .double(window.0), "end": .double(window.1), "indices": .array(indices.map { .int($0) })]
            let frames = indices.compactMap { found[$0] }
            if frames.count == indices.count {
                video.framesDecoded += frames.count
                try encoding.emit(frames, name: "\(output).\(FrameEncoding.number(c))", into: video)
                if keep { kept.clips.append(indices); kept.frames += frames }
                written += 1
            } else {
                // Damaged and kept: no file for this clip; the entry says which frames were missing.
                clip["missing_frames"] = .array(Set(indices.filter { found[$0] == nil }).sorted().map { .int($0) })
            }
            clips.append(.object(clip))
        }
        guard !clips.isEmpty else { throw PipelineError.stage(stage: name, message: "video is shorter than one clip") }
        guard written > 0 else { throw PipelineError.stage(stage: name, message: "none of the \(clips.count) clips could be decoded") }
        if keep { video.keepFrames(DecodedFrames(clips: kept.clips, frames: kept.frames), as: output) }
        video.metadata[output] = .array(clips)
    }
}

extension JSONValue {
    var number: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .double(let v): return v
        default: return nil
        }
    }
}

/// A random sampler's seed mixed with the video's manifest position, so each video gets its own draw
/// (the same on every rerun and shard split); deterministic samplers are returned as they are.
func perVideo(_ sampler: FrameSampler, index: Int) -> FrameSampler {
    let mix = UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15
    switch sampler {
    case .segments(let count, let seed): return .segments(count: count, seed: seed ^ mix)
    case .randomClips(let count, let length, let stride, let seed): return .randomClips(count: count, length: length, stride: stride, seed: seed ^ mix)
    default: return sampler
    }
}

/// `{uniform: 8}`, `{every: 5}`, `{fps: 2.5}`, `{segments: 8}` or `{segments: {count: 8, seed: 1}}`,
/// `{random_clips: {count: 2, length: 16, stride: 2, seed: 0}}`.
func parseSampler(_ node: SpecNode) throws -> FrameSampler {
    let entry = try node.mapping().single()
    let value = entry.value
    switch entry.key {
    case "uniform": return .uniform(count: try value.positiveInt())
    case "every": return .every(step: try value.positiveInt())
    case "fps": return .fps(try value.positiveDouble())
    case "segments":
        if value.isMapping {
            let map = try value.mapping()
            let sampler = FrameSampler.segments(count: try map.required("count").positiveInt(), seed: UInt64(try map.optional("seed")?.int() ?? 0))
            try map.finish()
            return sampler
        }
        return .segments(count: try value.positiveInt(), seed: 0)
    case "random_clips":
        let map = try value.mapping()
        let sampler = FrameSampler.randomClips(
            count: try map.required("count").positiveInt(), length: try map.required("length").positiveInt(),
            stride: try map.optional("stride")?.positiveInt() ?? 1, seed: UInt64(try map.optional("seed")?.int() ?? 0))
        try map.finish()
        return sampler
    default:
        var message = "unknown sampler '\(entry.key)'"
        let names = ["uniform", "every", "fps", "segments", "random_clips"]
        if let hint = closest(to: entry.key, in: names) { message += " (did you mean '\(hint)'?)" }
        throw entry.keyNode.error(message + "; samplers: \(names.joined(separator: ", "))")
    }
}
