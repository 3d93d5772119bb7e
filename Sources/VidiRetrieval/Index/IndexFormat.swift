import CZlib
import Foundation

/// The on-disk layout of a retrieval index (`.vidx`), version 2, little-endian: two commit records, then
/// append-only segments. `vidi index add` appends a segment and then commits, so adding costs O(added)
/// and a crash at any instant leaves the previous index readable and intact.
///
/// ```
/// 0    commit record A, 64 bytes     128 B: whichever valid record covers the most bytes is current
/// 64   commit record B, 64 bytes
///      0 magic "VIDIWTI\0" | 8 version UInt32 (2) | 12 storage UInt32 | 16 videos N UInt64 |
///      24 frame slots V UInt32 | 28 dimension D UInt32 | 32 committed end UInt64 (file bytes in use) |
///      40 segments UInt32 | 44 CRC-32 of bytes 0..<44 | 48 zero
/// 128  segment 1, then segment 2, ... each starting 64-byte aligned:
/// ```
///
/// A segment is laid out exactly like a whole version-1 file, which is also still read:
///
/// ```
/// 0   magic "VIDIWTI\0"        8 bytes
/// 8   version                  UInt32 (1)
/// 12  storage                  UInt32 (1 float32, 2 float16) of the frame features
/// 16  videos n                 UInt64
/// 24  frame slots V            UInt32 (frames per video; shorter videos are zero-padded)
/// 28  dimension D              UInt32
/// 32  metadata bytes           UInt64 (JSON: ids, interaction, model)
/// 40  payload CRC-32           UInt32 (of every byte of the segment after its 64-byte header)
/// 44  header CRC-32            UInt32 (of bytes 0..<44)
/// 48  reserved                 16 zero bytes
/// 64  metadata JSON, then each section 64-byte aligned:
///     features  n·V·D (storage type), L2-normalised frames, padded slots all zero
///     weights   n·V float32, the video weights (WTI softmax, or 1/count for TI), 0 on padding
///     counts    n UInt32, valid frames per video
///     pooled    n·D float32, the normalised weighted mean of each video's frames (two-stage candidates)
/// ```
/// `add` first cuts anything past the committed end (a crashed add's partial segment), writes and fsyncs
/// the new segment, then overwrites the *older* commit record and fsyncs: a torn record fails its CRC and
/// the other one still describes the previous index. Bytes below the committed end never change, so a
/// process searching the file while another adds keeps a consistent view. `build` writes a whole new file
/// through a temporary sibling and a rename.
public enum IndexFormat {
    public static let magic: [UInt8] = Array("VIDIWTI".utf8) + [0]
    /// The file format written; version-1 files (one segment, no commit records) are still read.
    public static let version: UInt32 = 2
    /// Every segment's header carries this version (a segment is a version-1 image).
    static let segmentVersion: UInt32 = 1
    static let commitSize = 64
    /// Where the first segment starts, after the two commit records.
    static let firstSegment = 2 * commitSize
    public static let headerSize = 64
    public static let alignment = 64

    public enum Storage: UInt32, Sendable, CaseIterable {
        case float32 = 1, float16 = 2
        public var byteSize: Int { self == .float32 ? 4 : 2 }
        public var name: String { self == .float32 ? "float32" : "float16" }
    }

    public struct Metadata: Codable, Equatable, Sendable {
        /// One id per video (its path, or the name given at import).
        public var ids: [String]
        /// "wti" when `weights` hold WTI video weights, "ti" for masked means.
        public var interaction: String
        /// The checkpoint whose encoders and weight branches produced the features, as given at build;
        /// nil for the model bundled with vidi.
        public var model: String?
        public var createdBy: String

        public init(ids: [String], interaction: String, model: String?, createdBy: String = "vidi") {
            self.ids = ids; self.interaction = interaction; self.model = model; self.createdBy = createdBy
        }
    }

    static func aligned(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }

    /// Section offsets for a given header.
    struct Layout {
        let videos: Int, slots: Int, dimension: Int, storage: Storage, metadataBytes: Int
        var features: Int { aligned(headerSize + metadataBytes) }
        var featureBytes: Int { videos * slots * dimension * storage.byteSize }
        var weights: Int { aligned(features + featureBytes) }
        var counts: Int { aligned(weights + videos * slots * 4) }
        var pooled: Int { aligned(counts + videos * 4) }
        var end: Int { pooled + videos * dimension * 4 }
    }

    /// One commit record: what the file holds up to `end`.
    struct Commit: Equatable {
        var storage: Storage, videos: Int, slots: Int, dimension: Int, end: Int, segments: Int

        func encoded() -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: commitSize)
            func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
                withUnsafeBytes(of: value.littleEndian) { for (k, b) in $0.enumerated() { bytes[offset + k] = b } }
            }
            for (k, b) in magic.enumerated() { bytes[k] = b }
            put(version, at: 8)
            put(storage.rawValue, at: 12)
            put(UInt64(videos), at: 16)
            put(UInt32(slots), at: 24)
            put(UInt32(dimension), at: 28)
            put(UInt64(end), at: 32)
            put(UInt32(segments), at: 40)
            put(bytes.withUnsafeBytes { crc32(UnsafeRawBufferPointer(rebasing: $0[0..<44])) }, at: 44)
            return bytes
        }

        /// The record at `raw`, nil when its magic, version or checksum is wrong (torn or never written).
        init?(_ raw: UnsafeRawBufferPointer) {
            guard raw.count >= commitSize, Array(raw[0..<8]) == magic else { return nil }
            func read<T: FixedWidthInteger>(_ type: T.Type, _ offset: Int) -> T { T(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: T.self)) }
            guard read(UInt32.self, 8) == version, read(UInt32.self, 44) == crc32(UnsafeRawBufferPointer(rebasing: raw[0..<44])),
                  let storage = Storage(rawValue: read(UInt32.self, 12)) else { return nil }
            self.init(storage: storage, videos: Int(read(UInt64.self, 16)), slots: Int(read(UInt32.self, 24)),
                      dimension: Int(read(UInt32.self, 28)), end: Int(read(UInt64.self, 32)), segments: Int(read(UInt32.self, 40)))
        }

        init(storage: Storage, videos: Int, slots: Int, dimension: Int, end: Int, segments: Int) {
            self.storage = storage; self.videos = videos; self.slots = slots; self.dimension = dimension
            self.end = end; self.segments = segments
        }
    }

    static func crc32(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        var crc = UInt(seed)
        var offset = 0
        while offset < bytes.count {
            let chunk = min(1 << 30, bytes.count - offset)
            crc = CZlib.crc32(crc, bytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Bytef.self), uInt(chunk))
            offset += chunk
        }
        return UInt32(truncatingIfNeeded: crc)
    }
}
