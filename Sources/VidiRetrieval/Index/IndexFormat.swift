import CZlib
import Foundation

/// The on-disk layout of a retrieval index (`.vidx`), version 1, little-endian:
///
/// ```
/// 0   magic "VIDIWTI\0"        8 bytes
/// 8   version                  UInt32 (1)
/// 12  storage                  UInt32 (1 float32, 2 float16) of the frame features
/// 16  videos N                 UInt64
/// 24  frame slots V            UInt32 (frames per video; shorter videos are zero-padded)
/// 28  dimension D              UInt32
/// 32  metadata bytes           UInt64 (JSON: ids, interaction, model)
/// 40  payload CRC-32           UInt32 (of every byte after the 64-byte header)
/// 44  header CRC-32            UInt32 (of bytes 0..<44)
/// 48  reserved                 16 zero bytes
/// 64  metadata JSON, then each section 64-byte aligned:
///     features  N·V·D (storage type), L2-normalised frames, padded slots all zero
///     weights   N·V float32, the video weights (WTI softmax, or 1/count for TI), 0 on padding
///     counts    N UInt32, valid frames per video
///     pooled    N·D float32, the normalised weighted mean of each video's frames (two-stage candidates)
/// ```
/// Files are written to a temporary sibling, fsynced and renamed, so a crash leaves the previous index.
public enum IndexFormat {
    public static let magic: [UInt8] = Array("VIDIWTI".utf8) + [0]
    public static let version: UInt32 = 1
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
