/// A rational number, e.g. a stream time base.
public struct Rational: Sendable, Codable, Equatable {
    public var numerator: Int
    public var denominator: Int

    public init(numerator: Int, denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
    }

    public var value: Double { denominator == 0 ? 0 : Double(numerator) / Double(denominator) }
}

/// What a video file holds, computed at open from the container and a full packet-index scan.
public struct VideoInfo: Sendable, Codable, Equatable {
    public var path: String
    /// The demuxer's name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" (ffprobe's `format_name`).
    public var container: String
    /// The codec's short name, e.g. "h264" (ffprobe's `codec_name`).
    public var codec: String
    /// Index of the chosen video stream in the file (`av_find_best_stream`).
    public var streamIndex: Int
    /// Coded (stored) size, before rotation.
    public var width: Int
    public var height: Int
    /// Clockwise rotation in degrees (0, 90, 180 or 270) that turns the stored picture into the displayed
    /// one: what the ffmpeg CLI's autorotate applies. It is `-av_display_rotation_get(matrix)` mod 360, so
    /// ffprobe, which prints `av_display_rotation_get` (counterclockwise), shows 90 where this is 270.
    /// Non-right angles are rounded to the nearest multiple of 90.
    public var rotation: Int
    /// The decoder's pixel format name, e.g. "yuv420p" (ffprobe's `pix_fmt`).
    public var pixelFormat: String
    /// The stream's average frame rate (`avg_frame_rate`), or frames / duration from the index when the
    /// container gives none.
    public var averageFrameRate: Double
    public var timeBase: Rational
    /// Seconds: the container's duration when known, else the span of the frame timestamps.
    public var duration: Double
    /// Bits per second (container's `bit_rate`, 0 when unknown).
    public var bitRate: Int
    /// Exact number of frames: counted from the packet index (packets flagged corrupt or discard are not
    /// frames).
    public var frameCount: Int
    /// Display-order indices of keyframes, ascending.
    public var keyframeIndices: [Int]
    /// Whether display order differs from decode order (B-frames or other reordering), from the index.
    public var hasBFrames: Bool
    /// Presentation time in seconds of each frame, in display order (ffprobe's `pts_time`). For streams
    /// without timestamps (`hasTimestamps == false`) frame i gets i / frame rate.
    public var frameTimestamps: [Double]
    /// False for raw elementary streams (Annex B .h264/.hevc) whose packets carry no pts or dts. Their
    /// display order is then learnt by decoding the whole stream once at open, and random access decodes
    /// forward from the start of the file (skipping packets before the needed keyframe).
    public var hasTimestamps: Bool
    /// When the last frame stops being displayed: its timestamp plus its packet duration (or the mean
    /// frame interval when the packet has none).
    public var endTime: Double

    /// Displayed size, after rotation.
    public var displayWidth: Int { rotation % 180 == 0 ? width : height }
    public var displayHeight: Int { rotation % 180 == 0 ? height : width }

    /// The display index of the frame shown at `seconds` (timestamp <= seconds < next timestamp), or nil
    /// when `seconds` lies before the first frame or at/after `endTime`.
    public func frameIndex(displayedAt seconds: Double) -> Int? {
        guard let first = frameTimestamps.first, seconds >= first, seconds < endTime else { return nil }
        // Last index whose timestamp <= seconds.
        var low = 0, high = frameTimestamps.count
        while low < high {
            let mid = (low + high) / 2
            if frameTimestamps[mid] <= seconds { low = mid + 1 } else { high = mid }
        }
        return low - 1
    }
}
