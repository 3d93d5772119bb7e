#if canImport(Glibc)
import Glibc
#endif
import Foundation
import VidiFormats

/// Writes a `.vidx` index (see `IndexFormat`): `write` a whole new file atomically (a temporary sibling,
/// fsync, rename); `append` videos to an existing one as a new segment, in O(added).
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
        let file = try encode(ids: ids, dimension: d, slots: slots, storage: storage, interaction: interaction, model: model, video: video)
        do {
            try DurableFile.write(file, to: path, beforeRename: beforeRename)
        } catch let error as FileWriteError {
            throw RetrievalError.index(path: path, reason: error.message)
        }
    }

    /// The bytes of an index file (for a caller that writes it itself, such as a pipeline's run-level
    /// output): commit record A, an empty record B, one segment; `video(i)` is called once each, in order.
    public static func encode(ids: [String], dimension d: Int, slots: Int, storage: IndexFormat.Storage = .float32,
                              interaction: Interaction, model: String?, video: (Int) throws -> IndexedVideo) throws -> [UInt8] {
        let segment = try encodeSegment(ids: ids, dimension: d, slots: slots, storage: storage, interaction: interaction, model: model, video: video)
        let end = IndexFormat.firstSegment + IndexFormat.aligned(segment.count)
        let commit = IndexFormat.Commit(storage: storage, videos: ids.count, slots: slots, dimension: d, end: end, segments: 1)
        var file = commit.encoded() + [UInt8](repeating: 0, count: IndexFormat.commitSize) + segment
        file += [UInt8](repeating: 0, count: end - file.count)
        return file
    }

    /// Appends `videos` to the index at `path` as one new segment, then commits it (see `IndexFormat`).
    /// Bytes already committed are never touched. `beforeCommit` runs after the segment is durable and
    /// before the commit record is written (tests simulate a crash there). A version-1 file is rewritten
    /// once as version 2 (through a temporary file and a rename).
    public static func append(_ videos: [IndexedVideo], to path: String, model: String?, beforeCommit: () throws -> Void = {}) throws {
        guard !videos.isEmpty else { return }
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw RetrievalError.index(path: path, reason: "cannot open for writing: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        // One writer at a time; readers need no lock (they never see uncommitted bytes).
        guard flock(fd, LOCK_EX) == 0 else { throw RetrievalError.index(path: path, reason: "cannot lock: \(String(cString: strerror(errno)))") }
        // Headers, sizes and the commit are checked; payload checksums are not read (that would be O(N)).
        let index = try RetrievalIndex(path: path, verify: false)
        guard let current = index.commit else {
            try write(index.allVideos() + videos, to: path, slots: index.slots, storage: index.storage, interaction: index.interaction, model: model)
            return
        }
        let segment = try encodeSegment(ids: videos.map(\.id), dimension: index.dimension, slots: index.slots, storage: index.storage,
                                        interaction: index.interaction, model: model) { videos[$0] }
        let padded = segment + [UInt8](repeating: 0, count: IndexFormat.aligned(segment.count) - segment.count)
        func fail(_ what: String) -> RetrievalError { RetrievalError.index(path: path, reason: "\(what): \(String(cString: strerror(errno)))") }
        // A crashed add may have left a partial segment past the committed end: cut it first.
        guard ftruncate(fd, off_t(current.end)) == 0 else { throw fail("cannot cut the uncommitted tail") }
        try writeAll(fd, padded, at: current.end, fail)
        guard fsync(fd) == 0 else { throw fail("fsync of the new segment failed") }
        try beforeCommit()
        let next = IndexFormat.Commit(storage: index.storage, videos: index.count + videos.count, slots: index.slots, dimension: index.dimension,
                                      end: current.end + padded.count, segments: current.segments + 1)
        // Overwrite the record that is *not* current, so a torn write leaves the current one intact.
        try writeAll(fd, next.encoded(), at: (1 - index.commitSlot) * IndexFormat.commitSize, fail)
        guard fsync(fd) == 0 else { throw fail("fsync of the commit record failed") }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], at offset: Int, _ fail: (String) -> RetrievalError) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, bytes.count - done, off_t(offset + done)) }
            guard n > 0 else { throw fail("write failed") }
            done += n
        }
    }

    /// One segment: the layout of a whole version-1 file.
    static func encodeSegment(ids: [String], dimension d: Int, slots: Int, storage: IndexFormat.Storage = .float32,
                              interaction: Interaction, model: String?, video: (Int) throws -> IndexedVideo) throws -> [UInt8] {
        guard !ids.isEmpty else { throw RetrievalError.invalidArgument("an index needs at least one video") }
        guard slots > 0, slots <= 4096 else { throw RetrievalError.invalidArgument("\(slots) frames per video: an index holds 1...4096") }
        let metadata = IndexFormat.Metadata(ids: ids, interaction: interaction.rawValue, model: model)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]  // the same bytes for the same index, whatever the process
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
            put(IndexFormat.segmentVersion, at: 8)
            put(storage.rawValue, at: 12)
            put(UInt64(ids.count), at: 16)
            put(UInt32(slots), at: 24)
            put(UInt32(d), at: 28)
            put(UInt64(json.count), at: 32)
            put(IndexFormat.crc32(UnsafeRawBufferPointer(rebasing: raw[IndexFormat.headerSize...])), at: 40)
            put(header.withUnsafeBytes { IndexFormat.crc32(UnsafeRawBufferPointer(rebasing: $0[0..<44])) }, at: 44)
            for (k, b) in header.enumerated() { raw[k] = b }
        }
        return file
    }
}
