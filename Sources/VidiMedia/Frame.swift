import CFFmpeg

/// The coding type of a picture (`AVFrame.pict_type`).
public enum PictureType: String, Sendable, Codable, Equatable {
    case i = "I", p = "P", b = "B", other = "?"

    /// The letter `av_get_picture_type_char` prints: I, P, B, or ? (S, SI, SP and BI map to ?).
    public var character: Character { Character(rawValue) }

    init(_ type: AVPictureType) {
        switch type {
        case AV_PICTURE_TYPE_I: self = .i
        case AV_PICTURE_TYPE_P: self = .p
        case AV_PICTURE_TYPE_B: self = .b
        default: self = .other
        }
    }
}

/// A decoded picture's pixels, owned (safe to send across tasks).
public enum FramePixels: Sendable, Equatable {
    /// H x W x 3 bytes.
    case rgb8([UInt8])
    /// 3 x H x W floats in [0, 1].
    case planarFloat([Float])
}

/// One decoded, converted frame.
public struct Frame: Sendable, Equatable {
    /// Display-order index (0-based).
    public var index: Int
    /// Presentation time in seconds (pts x time base, as ffprobe's `pts_time`).
    public var timestamp: Double
    public var pictureType: PictureType
    public var isKeyframe: Bool
    /// Output size (after resize and rotation).
    public var width: Int
    public var height: Int
    public var pixels: FramePixels

    public init(index: Int, timestamp: Double, pictureType: PictureType, isKeyframe: Bool,
                width: Int, height: Int, pixels: FramePixels) {
        self.index = index
        self.timestamp = timestamp
        self.pictureType = pictureType
        self.isKeyframe = isKeyframe
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The H x W x 3 bytes, when the layout is `.rgb8`.
    public var rgb: [UInt8]? { if case .rgb8(let bytes) = pixels { return bytes } else { return nil } }
    /// The 3 x H x W floats, when the layout is `.planarFloat`.
    public var planar: [Float]? { if case .planarFloat(let values) = pixels { return values } else { return nil } }
    /// [H, W, 3] for `.rgb8`, [3, H, W] for `.planarFloat`.
    public var shape: [Int] {
        switch pixels {
        case .rgb8: return [height, width, 3]
        case .planarFloat: return [3, height, width]
        }
    }
}

/// What sequential decoding (`forEachFrame`, `FrameStream`) delivers for each frame.
public struct DecodedFrame: Sendable {
    public var index: Int
    public var timestamp: Double
    public var pictureType: PictureType
    public var isKeyframe: Bool
    /// The converted picture, when an output was requested.
    public var image: Frame?
    /// The frame's motion vectors, when requested (empty for I-frames).
    public var motion: FrameMotion?
}

extension Frame {
    /// The picture as 3 x H x W floats in [0, 1] (byte / 255), whatever the frame's layout.
    public var planarValues: [Float] {
        switch pixels {
        case .planarFloat(let values): return values
        case .rgb8(let bytes): return FrameConverter.planarFloats(bytes, width: width, height: height)
        }
    }
}
