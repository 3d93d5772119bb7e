import Foundation
import VidiTensor

/// Captions in MSR-VTT's JSON layout: `{"videos": [{"video_id": ...}], "sentences": [{"video_id": ...,
/// "caption": ...}]}` (extra fields ignored). Videos are files `<video_id>.<ext>` in a folder.
public struct CaptionedVideos: Sendable {
    public struct Sentence: Codable, Sendable { public var videoId: String; public var caption: String }
    public struct Video: Codable, Sendable { public var videoId: String }
    struct File: Codable { var videos: [Video]?; var sentences: [Sentence] }

    public var videoIds: [String]
    /// Captions per video id, in file order.
    public var captions: [String: [String]]

    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RetrievalError.invalidArgument("cannot read annotations \(path)")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let file: File
        do { file = try decoder.decode(File.self, from: data) } catch {
            throw RetrievalError.invalidArgument("\(path) is not MSR-VTT JSON (videos / sentences with video_id, caption): \(error)")
        }
        var captions: [String: [String]] = [:]
        var order: [String] = file.videos?.map(\.videoId) ?? []
        for s in file.sentences {
            if captions[s.videoId] == nil, file.videos == nil { order.append(s.videoId) }
            captions[s.videoId, default: []].append(s.caption)
        }
        videoIds = order.filter { captions[$0] != nil }
        guard !videoIds.isEmpty else { throw RetrievalError.invalidArgument("\(path) has no captioned video") }
        self.captions = captions
    }

    /// Writes MSR-VTT JSON for `(id, caption)` pairs.
    public static func write(_ pairs: [(String, String)], to path: String) throws {
        var videos: [[String: Any]] = [], sentences: [[String: Any]] = []
        for (k, (id, caption)) in pairs.enumerated() {
            videos.append(["video_id": id, "id": k, "split": "synthetic"])
            sentences.append(["video_id": id, "caption": caption, "sen_id": k])
        }
        let data = try JSONSerialization.data(withJSONObject: ["videos": videos, "sentences": sentences], options: [.sortedKeys, .prettyPrinted])
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// The file of `id` in `folder` (any video extension).
    public static func videoPath(_ id: String, in folder: String) throws -> String {
        for ext in ["mp4", "webm", "mkv", "avi", "mov", "m4v"] {
            let p = (folder as NSString).appendingPathComponent("\(id).\(ext)")
            if FileManager.default.fileExists(atPath: p) { return p }
        }
        throw RetrievalError.invalidArgument("no video file for \(id) in \(folder)")
    }
}
