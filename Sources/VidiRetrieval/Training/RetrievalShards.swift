import Foundation
import VidiFormats
import VidiTensor

/// Writes retrieval training data as WebDataset shards for `vidi train retrieval` (the shared runtime's
/// input). Every sample is keyed by its position (`000042`) and is one of:
/// - a feature pair: `text.npy` `[N_t, D]`, `text_mask.npy` `[N_t]`, `video.npy` `[N_v, D]`,
///   `video_mask.npy` `[N_v]` (float32; precomputed CLIP features, only DRL's head trains on them);
/// - a captioned clip: `frames.npy` `[F, 3, R, R]` float32 frames preprocessed for CLIP (zero rows past
///   the clip's end), `frame_mask.npy` `[F]`, and `json` `{"video_id", "captions": [...]}`.
/// Fixed shapes per dataset, so the runtime's collation stacks them.
public enum RetrievalShards {
    /// Samples `0..<count`, `members(i)` each, into shards of `perShard` samples named
    /// `<prefix>-000000.tar`, ... under `directory`; returns the paths.
    @discardableResult
    public static func write(count: Int, perShard: Int, directory: String, prefix: String, firstKey: Int = 0,
                             members: (Int) throws -> [(String, [UInt8])]) throws -> [String] {
        guard perShard >= 1 else { throw RetrievalError.invalidArgument("samples per shard must be at least 1") }
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw RetrievalError.invalidArgument("cannot create \(directory): \(error)")
        }
        var paths: [String] = []
        var start = 0
        while start < count {
            let path = (directory as NSString).appendingPathComponent(String(format: "%@-%06d.tar", prefix, paths.count))
            let end = min(start + perShard, count)
            try DurableFile.write(to: path) { file in
                for i in start..<end {
                    let key = String(format: "%06d", firstKey + i)
                    for (name, bytes) in try members(i) {
                        try file.write(TarWriter.header(name: "\(key).\(name)", size: bytes.count))
                        try file.write(bytes)
                        try file.write(zeros: TarWriter.padding(after: bytes.count))
                    }
                }
                try file.write(zeros: 2 * TarWriter.blockSize)
            }
            paths.append(path)
            start = end
        }
        return paths
    }

    /// The members of feature pair `i` of `text` and `video`.
    public static func featureMembers(_ i: Int, text: TokenFeatures, video: TokenFeatures) throws -> [(String, [UInt8])] {
        func row(_ t: Tensor) throws -> [UInt8] {
            NPYFormat.encode(try t.narrowed(axis: 0, start: i, length: 1).squeezed(axis: 0).contiguous().npyArray)
        }
        return [("text.npy", try row(text.features)), ("text_mask.npy", try row(text.mask)),
                ("video.npy", try row(video.features)), ("video_mask.npy", try row(video.mask))]
    }

    /// The members of one captioned clip: `frames` `[n, 3, R, R]` padded to `slots` frames.
    public static func clipMembers(id: String, captions: [String], frames: Tensor, slots: Int) throws -> [(String, [UInt8])] {
        guard frames.rank == 4, frames.shape[0] >= 1 else { throw RetrievalError.shape("\(id): frames must be [F, 3, R, R], got \(frames.shape)") }
        let n = min(frames.shape[0], slots)
        var clip = try frames.narrowed(axis: 0, start: 0, length: n).contiguous()
        if n < slots { clip = try Tensor.concatenate([clip, Tensor.zeros([slots - n] + Array(frames.shape[1...]))], axis: 0) }
        let mask = try Tensor((0..<slots).map { $0 < n ? Float(1) : 0 }, shape: [slots])
        let json: JSONValue = .object(["video_id": .string(id), "captions": .array(captions.map(JSONValue.string))])
        return [("frames.npy", NPYFormat.encode(clip.npyArray)), ("frame_mask.npy", NPYFormat.encode(mask.npyArray)),
                ("json", try json.encoded())]
    }
}
