import Foundation
import VidiFormats

/// Writes a `.vidx` index (see `IndexFormat`) atomically: a temporary sibling, fsync, rename.
public enum IndexWriter {
    /// `slots`: frames per video in the file (at least every video's count; shorter videos are padded).
    public static func write(_ videos: [IndexedVideo], to path: String, slots requested: Int? = nil,
                             storage: IndexFormat.Storage = .float32, interaction: Interaction, model: String?,
                             beforeRename: () throws -> Void = {}) throws {
        guard let first = videos.first else { throw RetrievalError.invalidArgument("an index needs at least one video") }
        let slots = max(requested ?? 0, videos.map(\.frameCount).max() ?? 1)
        try write(ids: videos.map(\.id), dimension: first.dimension, to: path, slots: slots, storage: storage,
                  interaction: interaction, model: model, beforeRename: beforeRename) { videos[$0] }
    }

    /// Streams videos from `video(i)` (called once each, in order) so a large collection is never held
    /// twice in memory; every video must have at most `slots` frames of `dimension` values.
    public static func write(ids: [String], dimension d: Int, to path: String, slots: Int,
                             storage: IndexFormat.Storage = .float32, interaction: Interaction, model: String?,
                             beforeRename: () throws -> Void = {}, video: (Int) throws -> IndexedVideo) throws {
        guard !ids.isEmpty else { throw RetrievalError.invalidArgument("an index needs at least one video") }
        guard slots > 0, slots <= 4096 else { throw RetrievalError.invalidArgument("\(slots) frames per video: an index holds 1...4096") }
        let metadata = IndexFormat.Metadata(ids: ids, interaction: interaction.rawValue, model: model)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let json = [UInt8](try encoder.encode(metadata))
        let layout = IndexFormat.Layout(videos: ids.count, slots: slots, dimension: d, storage: storage, metadataBytes: json.count)
        var file = [UInt8](repeating: 0, count: layout.end)
        try file.withUnsafeMutableBytes { raw in
            let base = raw.baseAddress!
            for (k, b) in json.enumerated() { raw[IndexFormat.headerSize + k] = b }
            let weights = (base + layout.weights).assumingMemoryBound(to: Float.self)
            let counts = (base + layout.counts).assumingMemoryBound(to: UInt32.self)
            let pooled = (base + layout.pooled).assumingMemoryBound(to: Float.self)
            for v in 0..<ids.count {
                let video = try video(v)
                guard video.dimension == d, video.frameCount <= slots else {
                    throw RetrievalError.shape("video \(video.id): \(video.frameCount) frames of \(video.dimension)-d, the index holds \(slots) of \(d)-d")
                }
                let row = v * slots * d
                switch storage {
                case .float32:
                    let f = (base + layout.features).assumingMemoryBound(to: Float.self)
                    for (k, x) in video.features.enumerated() { f[row + k] = x }
                case .float16:
                    let f = (base + layout.features).assumingMemoryBound(to: UInt16.self)
                    for (k, x) in video.features.enumerated() { f[row + k] = Float16(x).bitPattern.littleEndian }
                }
                for (j, w) in video.weights.enumerated() { weights[v * slots + j] = w }
                counts[v] = UInt32(video.frameCount).littleEndian
                for (k, x) in video.pooled.enumerated() { pooled[v * d + k] = x }
            }
            var header = [UInt8](repeating: 0, count: IndexFormat.headerSize)
            func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
                withUnsafeBytes(of: value.littleEndian) { for (k, b) in $0.enumerated() { header[offset + k] = b } }
            }
            for (k, b) in IndexFormat.magic.enumerated() { header[k] = b }
            put(IndexFormat.version, at: 8)
            put(storage.rawValue, at: 12)
            put(UInt64(ids.count), at: 16)
            put(UInt32(slots), at: 24)
            put(UInt32(d), at: 28)
            put(UInt64(json.count), at: 32)
            put(IndexFormat.crc32(UnsafeRawBufferPointer(rebasing: raw[IndexFormat.headerSize...])), at: 40)
            put(header.withUnsafeBytes { IndexFormat.crc32(UnsafeRawBufferPointer(rebasing: $0[0..<44])) }, at: 44)
            for (k, b) in header.enumerated() { raw[k] = b }
        }
        do {
            try DurableFile.write(file, to: path, beforeRename: beforeRename)
        } catch let error as FileWriteError {
            throw RetrievalError.index(path: path, reason: error.message)
        }
    }
}
