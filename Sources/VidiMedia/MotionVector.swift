import CFFmpeg

/// One exported block motion vector (`AVMotionVector`, minus the always-zero `flags`). Field order is the
/// column order of motion-vector-extractor's (N, 10) int32 dumps.
public struct MotionVector: Sendable, Equatable, Codable {
    /// -1: the reference is in the past, +1: in the future (the sign only, not which reference frame).
    public var source: Int32
    /// Block size in pixels (8 or 16 for H.264; 4x4 partitions are exported as 8x8).
    public var w: Int32
    public var h: Int32
    /// Block centre in the reference frame, integer-truncated.
    public var srcX: Int32
    public var srcY: Int32
    /// Block centre in the current frame.
    public var dstX: Int32
    public var dstY: Int32
    /// src = dst + motion / motionScale (fractional pixels).
    public var motionX: Int32
    public var motionY: Int32
    public var motionScale: Int32

    public init(source: Int32, w: Int32, h: Int32, srcX: Int32, srcY: Int32, dstX: Int32, dstY: Int32,
                motionX: Int32, motionY: Int32, motionScale: Int32) {
        self.source = source; self.w = w; self.h = h
        self.srcX = srcX; self.srcY = srcY; self.dstX = dstX; self.dstY = dstY
        self.motionX = motionX; self.motionY = motionY; self.motionScale = motionScale
    }

    init(_ v: AVMotionVector) {
        self.init(source: v.source, w: Int32(v.w), h: Int32(v.h), srcX: Int32(v.src_x), srcY: Int32(v.src_y),
                  dstX: Int32(v.dst_x), dstY: Int32(v.dst_y), motionX: v.motion_x, motionY: v.motion_y,
                  motionScale: Int32(v.motion_scale))
    }

    /// The ten fields as one row of motion-vector-extractor's int32 array.
    public var row: [Int32] { [source, w, h, srcX, srcY, dstX, dstY, motionX, motionY, motionScale] }
}

/// The motion vectors of one frame, in display order. I-frames carry none.
public struct FrameMotion: Sendable, Equatable {
    public var index: Int
    public var timestamp: Double
    public var pictureType: PictureType
    /// Coded picture size (vectors are in coded, unrotated coordinates).
    public var width: Int
    public var height: Int
    public var vectors: [MotionVector]

    public init(index: Int, timestamp: Double, pictureType: PictureType, width: Int, height: Int, vectors: [MotionVector]) {
        self.index = index; self.timestamp = timestamp; self.pictureType = pictureType
        self.width = width; self.height = height; self.vectors = vectors
    }

    /// Reads AV_FRAME_DATA_MOTION_VECTORS side data of a decoded frame (empty when it has none).
    static func vectors(of frame: UnsafePointer<AVFrame>) -> [MotionVector] {
        guard let side = av_frame_get_side_data(frame, AV_FRAME_DATA_MOTION_VECTORS),
              let data = side.pointee.data else { return [] }
        let count = Int(side.pointee.size) / MemoryLayout<AVMotionVector>.stride
        return UnsafeRawPointer(data).withMemoryRebound(to: AVMotionVector.self, capacity: count) { base in
            UnsafeBufferPointer(start: base, count: count).map(MotionVector.init)
        }
    }
}
