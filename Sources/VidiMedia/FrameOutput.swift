/// What a decoded picture is turned into: size, rotation and memory layout.
public struct FrameOutput: Sendable, Equatable {
    public enum Size: Sendable, Equatable {
        /// The displayed size (coded size, swapped for 90/270 degree rotation when rotation is applied).
        case original
        /// Scale so the shorter displayed side is `n` pixels; the longer side is rounded to nearest.
        case shorterSide(Int)
        /// Exactly `width` x `height` displayed pixels (aspect ratio not kept).
        case exact(width: Int, height: Int)
    }

    public enum Layout: Sendable, Equatable {
        /// H x W x 3 bytes, RGB interleaved, row-major.
        case rgb8
        /// 3 x H x W Float32 in [0, 1] (the RGB bytes divided by 255), channel-major.
        case planarFloat
    }

    public var size: Size
    /// Apply the stream's display rotation (exact transposes/flips after colour conversion). Default on.
    public var applyRotation: Bool
    public var layout: Layout

    public init(size: Size = .original, applyRotation: Bool = true, layout: Layout = .rgb8) {
        self.size = size
        self.applyRotation = applyRotation
        self.layout = layout
    }
}
