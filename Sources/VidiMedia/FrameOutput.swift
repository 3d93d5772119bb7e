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

    /// swscale's resampling filter for resizing (colour conversion at the same size does not use it).
    public enum Interpolation: Sendable, Equatable {
        /// SWS_BICUBIC: what the ffmpeg CLI uses, so output equals `ffmpeg -vf scale=...` byte for byte.
        case bicubic
        /// SWS_BILINEAR: cheaper, what PyAV's `reformat` uses by default.
        case bilinear
        /// SWS_AREA: averaging, good for large downscales.
        case area
        /// SWS_POINT: nearest neighbour, cheapest.
        case nearest
    }

    public var size: Size
    /// Apply the stream's display rotation (exact transposes/flips after colour conversion). Default on.
    public var applyRotation: Bool
    public var layout: Layout
    public var interpolation: Interpolation

    public init(size: Size = .original, applyRotation: Bool = true, layout: Layout = .rgb8,
                interpolation: Interpolation = .bicubic) {
        self.size = size
        self.applyRotation = applyRotation
        self.layout = layout
        self.interpolation = interpolation
    }
}
