import VidiMedia
import VidiFormats

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
        let info = try video.reader().info
        let rows = info.height / cell, columns = info.width / cell
        try video.reserve(info.frameCount * rows * columns * 8, for: name)
        let motion = try video.motionPass()
        var bytes = NPYFormat.header(descr: "<f4", shape: [motion.count, rows, columns, 2])
        bytes.reserveCapacity(bytes.count + motion.count * rows * columns * 2 * 4)
        for frame in motion {
            try video.checkDeadline()
            var map = try AlignedMotionGrid.map(frame, cell: cell)
                ?? (cell == 1 ? DenseMotion.perPixel(frame) : try DenseMotion.perGrid(frame, cell: cell))
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
        recordFramesIfIncomplete(motion, info: info, as: output, in: video)
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
        recordFramesIfIncomplete(motion, info: try video.reader().info, as: "frame_types", in: video)
    }
}

/// A damaged video kept (`run.damaged: keep`) may lose frames from the motion pass: a per-frame output
/// then says which frames its rows are (`{"indices": [...]}` under its name). Complete outputs, the usual
/// case, hold every frame in display order and add nothing.
func recordFramesIfIncomplete(_ motion: [FrameMotion], info: VideoInfo, as output: String, in video: VideoContext) {
    guard motion.count != info.frameCount else { return }
    video.metadata[output] = .object(["indices": .array(motion.map { .int($0.index) })])
}

/// A fast path for `DenseMotion.perGrid` when every block lies on the cell grid (MPEG-4 Part 2 and H.264
/// blocks are 8/16 pixels on an 8-pixel lattice, so cell 8 almost always qualifies): each cell is then
/// covered by exactly one block or none, its mean is that block's displacement, and the per-pixel map
/// never needs drawing. Gives exactly `DenseMotion.perGrid`'s values (tested on every fixture frame);
/// returns nil when some block is off the grid, and the caller uses `DenseMotion`.
enum AlignedMotionGrid {
    static func map(_ motion: FrameMotion, cell: Int) throws -> MotionMap? {
        guard cell > 1 else { return nil }
        let rows = motion.height / cell, columns = motion.width / cell
        for v in motion.vectors where v.source < 0 && v.motionScale != 0 {
            let w = Int(v.w), h = Int(v.h)
            guard w % cell == 0, h % cell == 0, (Int(v.dstX) - w / 2) % cell == 0, (Int(v.dstY) - h / 2) % cell == 0 else {
                return nil
            }
        }
        var values = [Float](repeating: 0, count: rows * columns * 2)
        values.withUnsafeMutableBufferPointer { out in
            for v in motion.vectors where v.source < 0 && v.motionScale != 0 {
                let dx = Float(-v.motionX) / Float(v.motionScale)
                let dy = Float(-v.motionY) / Float(v.motionScale)
                // Block origin in cells; negative origins (blocks hanging off the top/left) are clipped.
                let x0 = (Int(v.dstX) - Int(v.w) / 2) / cell, y0 = (Int(v.dstY) - Int(v.h) / 2) / cell
                let x1 = min(columns, x0 + Int(v.w) / cell), y1 = min(rows, y0 + Int(v.h) / cell)
                var y = max(0, y0)
                while y < y1 {
                    var p = (y * columns + max(0, x0)) * 2
                    for _ in max(0, x0)..<max(max(0, x0), x1) {
                        out[p] = dx
                        out[p + 1] = dy
                        p += 2
                    }
                    y += 1
                }
            }
        }
        return MotionMap(height: rows, width: columns, values: values)
    }
}
