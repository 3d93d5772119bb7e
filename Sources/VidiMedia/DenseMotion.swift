/// A dense motion field: `height` x `width` cells, two Float32 channels (dx, dy) per cell, row-major and
/// channel-last (values[(y * width + x) * 2 + c]).
public struct MotionMap: Sendable, Equatable {
    public var height: Int
    public var width: Int
    public var values: [Float]

    public init(height: Int, width: Int, values: [Float]) {
        self.height = height
        self.width = width
        self.values = values
    }

    public var shape: [Int] { [height, width, 2] }
}

/// Block motion vectors rasterised into dense maps (the CoViAR / CMD convention, reference/media.md).
///
/// Convention: every pixel of a block's `w` x `h` area — centred on (dstX, dstY), i.e. columns
/// dstX - w/2 ..< dstX + w/2 and rows dstY - h/2 ..< dstY + h/2, clipped to the picture — holds the
/// block's displacement **dst - src = -motion / motionScale** (fractional pixels; it differs from the
/// integer `dstX - srcX` only by FFmpeg's truncation of `srcX`). Only vectors with `source < 0` (past
/// references) are drawn; B-frame vectors to future references are ignored, and where blocks overlap
/// the later vector in side-data order wins. Pixels without a vector (intra blocks, I-frames) hold 0.
/// Maps are in coded (unrotated) picture coordinates; magnitudes are not rescaled or clamped (CMD's
/// clamp to [-10, 10] / 10 is left to the caller).
public enum DenseMotion {
    /// The per-pixel H x W x 2 map of one frame.
    public static func perPixel(_ motion: FrameMotion) -> MotionMap {
        let width = motion.width, height = motion.height
        var values = [Float](repeating: 0, count: max(0, width * height * 2))
        values.withUnsafeMutableBufferPointer { map in
            for v in motion.vectors where v.source < 0 && v.motionScale != 0 {
                let dx = Float(-v.motionX) / Float(v.motionScale)
                let dy = Float(-v.motionY) / Float(v.motionScale)
                let x0 = max(0, Int(v.dstX) - Int(v.w) / 2), x1 = min(width, Int(v.dstX) - Int(v.w) / 2 + Int(v.w))
                let y0 = max(0, Int(v.dstY) - Int(v.h) / 2), y1 = min(height, Int(v.dstY) - Int(v.h) / 2 + Int(v.h))
                guard x0 < x1, y0 < y1 else { continue }
                for y in y0..<y1 {
                    var p = (y * width + x0) * 2
                    for _ in x0..<x1 {
                        map[p] = dx
                        map[p + 1] = dy
                        p += 2
                    }
                }
            }
        }
        return MotionMap(height: height, width: width, values: values)
    }

    /// One vector per `cell` x `cell` pixel square: the mean of the per-pixel map over the square
    /// (zeros included). The map is floor(H / cell) x floor(W / cell); edge pixels that do not fill a
    /// whole cell are left out.
    public static func perGrid(_ motion: FrameMotion, cell: Int) throws -> MotionMap {
        guard cell > 0 else { throw MediaError.invalidArgument("grid cell must be positive, got \(cell)") }
        let dense = perPixel(motion)
        let rows = dense.height / cell, columns = dense.width / cell
        var values = [Float](repeating: 0, count: rows * columns * 2)
        let scale = 1 / Float(cell * cell)
        dense.values.withUnsafeBufferPointer { map in
            values.withUnsafeMutableBufferPointer { out in
                for r in 0..<rows {
                    for c in 0..<columns {
                        var sx: Float = 0, sy: Float = 0
                        for y in (r * cell)..<((r + 1) * cell) {
                            var p = (y * dense.width + c * cell) * 2
                            for _ in 0..<cell {
                                sx += map[p]
                                sy += map[p + 1]
                                p += 2
                            }
                        }
                        out[(r * columns + c) * 2] = sx * scale
                        out[(r * columns + c) * 2 + 1] = sy * scale
                    }
                }
            }
        }
        return MotionMap(height: rows, width: columns, values: values)
    }
}
