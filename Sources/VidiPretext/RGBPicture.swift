import VidiMedia

/// An H x W x 3 RGB byte picture, row-major and channel-last (what `.npy` clips hold).
public struct RGBPicture: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        guard width > 0, height > 0, pixels.count == width * height * 3 else {
            throw PretextError.invalidArgument("picture \(width)x\(height) needs \(max(0, width * height * 3)) bytes, got \(pixels.count)")
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The RGB bytes of a decoded frame.
    public init(frame: Frame) throws {
        guard let rgb = frame.rgb else {
            throw PretextError.unsupportedInput("frame \(frame.index) is not RGB8; decode with FrameOutput(layout: .rgb8)")
        }
        try self.init(width: frame.width, height: frame.height, pixels: rgb)
    }

    /// The first picture of an image or video file (PNG, JPEG, any format FFmpeg reads).
    public static func load(path: String) throws -> RGBPicture {
        let reader = try VideoReader(path: path)
        return try RGBPicture(frame: try reader.frame(at: 0))
    }

    /// The `width` x `height` window at (x, y); throws when it leaves the picture.
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) throws -> RGBPicture {
        guard x >= 0, y >= 0, w > 0, h > 0, x + w <= width, y + h <= height else {
            throw PretextError.invalidArgument("crop \(w)x\(h) at (\(x), \(y)) leaves the \(width)x\(height) picture")
        }
        var out = [UInt8](repeating: 0, count: w * h * 3)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for row in 0..<h {
                    let from = ((y + row) * width + x) * 3
                    for i in 0..<(w * 3) { dst[row * w * 3 + i] = src[from + i] }
                }
            }
        }
        return try RGBPicture(width: w, height: h, pixels: out)
    }

    /// The region (x, y, w, h) resized to `outWidth` x `outHeight` bilinearly (half-pixel centres, no
    /// antialiasing: PyTorch's `interpolate(mode="bilinear", align_corners=False)`), rounded to bytes.
    public func resized(region: CropBox? = nil, width outWidth: Int, height outHeight: Int) throws -> RGBPicture {
        let box = region ?? CropBox(x: 0, y: 0, width: width, height: height)
        let values = try Bilinear.resample(bytes: pixels, width: width, height: height, channels: 3, box: box,
                                           outWidth: outWidth, outHeight: outHeight)
        return try RGBPicture(width: outWidth, height: outHeight, pixels: values)
    }

    /// Mirrored left to right.
    public func flippedHorizontally() -> RGBPicture {
        var copy = self
        Bilinear.flipRows(&copy.pixels, width: width, height: height, channels: 3)
        return copy
    }
}

/// A rectangle in pixels: columns x ..< x + width, rows y ..< y + height.
public struct CropBox: Sendable, Equatable, Codable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    func check(inside w: Int, _ h: Int) throws {
        guard x >= 0, y >= 0, width > 0, height > 0, x + width <= w, y + height <= h else {
            throw PretextError.invalidArgument("region \(width)x\(height) at (\(x), \(y)) leaves the \(w)x\(h) picture")
        }
    }
}
