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

/// `dense_motion`: CMD/CoViAR-style motion maps, one per frame: float32 `motion.npy` of shape
/// (T, ceil(H/cell), ceil(W/cell), 2) holding, per cell, the mean over its pixels of (dst - src) of the
/// past-referenced block covering each pixel (0 where none; I-frames all 0). `cell: 1` is per pixel.
/// `clamp: 10` clamps to [-10, 10] and divides by 10, as CMD feeds its network.
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
        let grid = MotionGrid(width: info.width, height: info.height, cell: cell)
        var values = [Float](repeating: 0, count: motion.count * grid.count)
        try values.withUnsafeMutableBufferPointer { out in
            var scratch = [Float](repeating: 0, count: grid.pixelCount)
            for (t, frame) in motion.enumerated() {
                try video.checkDeadline()
                let slice = UnsafeMutableBufferPointer(rebasing: out[(t * grid.count)..<((t + 1) * grid.count)])
                grid.fill(slice, from: frame.vectors, scratch: &scratch)
                if let clamp {
                    for i in slice.indices { slice[i] = min(max(slice[i], -clamp), clamp) / clamp }
                }
            }
        }
        var bytes = NPYFormat.header(descr: "<f4", shape: [motion.count, grid.rows, grid.columns, 2])
        values.withUnsafeBytes { bytes += $0 }
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

/// Rasterises one frame's block vectors onto a grid of `cell` x `cell` pixel cells.
struct MotionGrid {
    let width: Int
    let height: Int
    let cell: Int
    let rows: Int
    let columns: Int

    init(width: Int, height: Int, cell: Int) {
        self.width = width
        self.height = height
        self.cell = cell
        rows = (height + cell - 1) / cell
        columns = (width + cell - 1) / cell
    }

    /// Floats per frame (rows x columns x 2).
    var count: Int { rows * columns * 2 }
    var pixelCount: Int { width * height * 2 }

    /// Writes the frame's map into `out`. Blocks aligned to the cell grid (the usual 8/16-pixel blocks
    /// with cell 8) are written cell by cell; otherwise the per-pixel map is drawn and averaged per cell,
    /// which is what the aligned path computes too. Later blocks overwrite earlier ones.
    func fill(_ out: UnsafeMutableBufferPointer<Float>, from vectors: [MotionVector], scratch: inout [Float]) {
        for i in out.indices { out[i] = 0 }
        let aligned = width % cell == 0 && height % cell == 0 && vectors.allSatisfy { v in
            Int(v.w) % cell == 0 && Int(v.h) % cell == 0
                && (Int(v.dstX) - Int(v.w) / 2) % cell == 0 && (Int(v.dstY) - Int(v.h) / 2) % cell == 0
        }
        if aligned {
            for v in vectors where v.source < 0 && v.motionScale != 0 {
                let (dx, dy) = Self.displacement(v)
                let x0 = (Int(v.dstX) - Int(v.w) / 2) / cell, y0 = (Int(v.dstY) - Int(v.h) / 2) / cell
                for cy in max(y0, 0)..<min(y0 + Int(v.h) / cell, rows) where cy >= max(y0, 0) {
                    for cx in max(x0, 0)..<min(x0 + Int(v.w) / cell, columns) where cx >= max(x0, 0) {
                        out[(cy * columns + cx) * 2] = dx
                        out[(cy * columns + cx) * 2 + 1] = dy
                    }
                }
            }
            return
        }
        scratch.withUnsafeMutableBufferPointer { pixels in
            for i in pixels.indices { pixels[i] = 0 }
            for v in vectors where v.source < 0 && v.motionScale != 0 {
                let (dx, dy) = Self.displacement(v)
                let x0 = Int(v.dstX) - Int(v.w) / 2, y0 = Int(v.dstY) - Int(v.h) / 2
                let xs = max(x0, 0), xe = min(x0 + Int(v.w), width)
                let ys = max(y0, 0), ye = min(y0 + Int(v.h), height)
                guard xe > xs, ye > ys else { continue }
                for y in ys..<ye {
                    for x in xs..<xe {
                        pixels[(y * width + x) * 2] = dx
                        pixels[(y * width + x) * 2 + 1] = dy
                    }
                }
            }
            for cy in 0..<rows {
                for cx in 0..<columns {
                    var sx: Float = 0, sy: Float = 0
                    let ye = min((cy + 1) * cell, height), xe = min((cx + 1) * cell, width)
                    for y in (cy * cell)..<ye {
                        for x in (cx * cell)..<xe {
                            sx += pixels[(y * width + x) * 2]
                            sy += pixels[(y * width + x) * 2 + 1]
                        }
                    }
                    let n = Float((ye - cy * cell) * (xe - cx * cell))
                    out[(cy * columns + cx) * 2] = sx / n
                    out[(cy * columns + cx) * 2 + 1] = sy / n
                }
            }
        }
    }

    /// (dst - src) in pixels: src = dst + motion / scale.
    @inline(__always)
    static func displacement(_ v: MotionVector) -> (Float, Float) {
        let scale = Float(v.motionScale)
        return (-Float(v.motionX) / scale, -Float(v.motionY) / scale)
    }
}
