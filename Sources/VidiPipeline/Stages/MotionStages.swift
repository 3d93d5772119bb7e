import VidiMedia
import VidiTensor

/// `motion_vectors`: every exported block vector of the video as one int32 array `mvs.npy` of shape
/// (N, 11): the display-order frame index, then motion-vector-extractor's ten columns
/// (source, w, h, src_x, src_y, dst_x, dst_y, motion_x, motion_y, motion_scale).
struct MotionVectorsStage: PipelineStage {
    let name = "motion_vectors"
    var output: String
    var outputs: [String] { ["\(output).npy"] }

    static func make(_ parameters: StageParameters) throws -> any PipelineStage {
        try parameters.read { map in MotionVectorsStage(output: try map?.optional("name")?.string() ?? "mvs") }
    }

    func process(_ video: VideoContext) throws {
        let motion = try video.motionPass()
        let count = motion.reduce(0) { $0 + $1.vectors.count }
        var rows = [Int32](repeating: 0, count: count * 11)
        rows.withUnsafeMutableBufferPointer { out in
            var r = 0
            for frame in motion {
                for v in frame.vectors {
                    out[r] = Int32(frame.index); out[r + 1] = v.source; out[r + 2] = v.w; out[r + 3] = v.h
                    out[r + 4] = v.srcX; out[r + 5] = v.srcY; out[r + 6] = v.dstX; out[r + 7] = v.dstY
                    out[r + 8] = v.motionX; out[r + 9] = v.motionY; out[r + 10] = v.motionScale
                    r += 11
                }
            }
        }
        var bytes = NPYFormat.header(descr: "<i4", shape: [count, 11])
        rows.withUnsafeBytes { bytes += $0 }
        try video.emit("\(output).npy", bytes)
    }
}

/// `dense_motion`: CMD/CoViAR-style motion maps, one per frame, from VidiMedia's `DenseMotion`: float32
/// `motion.npy` of shape (T, floor(H/cell), floor(W/cell), 2) holding, per cell, the mean over its pixels
/// of (dst - src) of the past-referenced block covering each pixel (0 where none; I-frames all 0), in
/// coded (unrotated) coordinates. `cell: 1` is per pixel. `clamp: 10` clamps to [-10, 10] and divides
/// by 10, as CMD feeds its network.
struct DenseMotionStage: PipelineStage {
    let name = "dense_motion"
    var cell: Int
    var clamp: Float?
    var output: String
    var outputs: [String] { ["\(output).npy"] }

    static func make(_ parameters: StageParameters) throws -> any PipelineStage {
        try parameters.read { map in
            DenseMotionStage(cell: try map?.optional("cell")?.positiveInt() ?? 8,
                             clamp: try (map?.optional("clamp")?.positiveDouble()).map { Float($0) },
                             output: try map?.optional("name")?.string() ?? "motion")
        }
    }

    func process(_ video: VideoContext) throws {
        let motion = try video.motionPass()
        let info = try video.reader().info
        let rows = info.height / cell, columns = info.width / cell
        var bytes = NPYFormat.header(descr: "<f4", shape: [motion.count, rows, columns, 2])
        bytes.reserveCapacity(bytes.count + motion.count * rows * columns * 2 * 4)
        for frame in motion {
            try video.checkDeadline()
            var map = cell == 1 ? DenseMotion.perPixel(frame) : try DenseMotion.perGrid(frame, cell: cell)
            guard map.height == rows, map.width == columns else {
                throw PipelineError.stage(stage: name, message: "frame \(frame.index) is \(frame.width)x\(frame.height), the stream \(info.width)x\(info.height)")
            }
            if let clamp {
                map.values.withUnsafeMutableBufferPointer { values in
                    for i in values.indices { values[i] = min(max(values[i], -clamp), clamp) / clamp }
                }
            }
            map.values.withUnsafeBytes { bytes += $0 }
        }
        try video.emit("\(output).npy", bytes)
    }
}

/// `frame_types`: `frame_types.txt`, one picture type letter (I, P, B, ?) per frame in display order.
struct FrameTypesStage: PipelineStage {
    let name = "frame_types"
    var outputs: [String] { ["frame_types.txt"] }

    static func make(_ parameters: StageParameters) throws -> any PipelineStage {
        try parameters.read { _ in FrameTypesStage() }
    }

    func process(_ video: VideoContext) throws {
        let motion = try video.motionPass()
        var text: [UInt8] = []
        text.reserveCapacity(motion.count * 2)
        for frame in motion { text += [UInt8(ascii: frame.pictureType.character.unicodeScalars.first ?? "?"), 0x0A] }
        try video.emit("frame_types.txt", text)
    }
}
