import Foundation
import VidiTestSupport

/// What FFmpeg's own tools say about a fixture: the independent reference every media test compares to.
enum FFmpegReference {
    struct ProbedFrame {
        /// NaN when ffprobe prints N/A (streams without timestamps).
        var timestamp: Double
        var isKeyframe: Bool
        var pictureType: String
    }

    /// `ffprobe -show_frames` of the first video stream, in output (display) order.
    static func frames(_ path: String) throws -> [ProbedFrame] {
        let result = try runTool("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                             "frame=best_effort_timestamp_time,key_frame,pict_type", "-of", "csv=p=0", path])
        return result.text.split(separator: "\n").compactMap { line in
            // Fields come in ffprobe's order: key_frame, best_effort_timestamp_time, pict_type.
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 3, fields[0] == "0" || fields[0] == "1" else { return nil }
            return ProbedFrame(timestamp: Double(fields[1]) ?? .nan, isKeyframe: fields[0] == "1", pictureType: fields[2])
        }
    }

    /// `ffprobe -show_streams` fields of the first video stream.
    static func stream(_ path: String) throws -> [String: String] {
        let result = try runTool("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                             "stream=codec_name,width,height,pix_fmt,time_base", "-of", "default=nw=1", path])
        var fields: [String: String] = [:]
        for line in result.text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        return fields
    }

    /// `ffmpeg -i F [-vf filters] -f rawvideo -pix_fmt rgb24 -`: every frame, autorotated, as one byte array.
    static func rgbFrames(_ path: String, filters: String? = nil, extraInput: [String] = []) throws -> [UInt8] {
        var arguments = ["-v", "error", "-nostdin"] + extraInput + ["-i", path]
        if let filters { arguments += ["-vf", filters] }
        // passthrough: one output frame per decoded frame (the default would duplicate VFR frames to CFR).
        arguments += ["-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
        let result = try runTool("ffmpeg", arguments)
        return [UInt8](result.stdout)
    }
}

/// The good (decodable) fixtures.
let goodFixtures = [
    "audio-first.mp4", "h264-10bit.mp4", "h264-bframes-dup-pts.mkv", "h264-bframes-opengop.mp4", "h264-closedgop.mp4", "h264-dup-pts.mkv",
    "hevc.mp4", "mjpeg.avi", "mpeg4-dup-pts.mkv", "mpeg4-part2.mp4", "odd-321x241.mp4", "rotated-90.mp4", "vfr.mp4",
    "vp9.webm",
]

func media(_ name: String) -> String { Fixtures.path("media/\(name)") }

/// Largest and mean absolute difference of two byte arrays of equal length.
func differences(_ a: [UInt8], _ b: [UInt8]) -> (max: Int, mean: Double) {
    precondition(a.count == b.count)
    var maxDiff = 0, total = 0
    for i in 0..<a.count {
        let d = abs(Int(a[i]) - Int(b[i]))
        total += d
        if d > maxDiff { maxDiff = d }
    }
    return (maxDiff, a.isEmpty ? 0 : Double(total) / Double(a.count))
}
