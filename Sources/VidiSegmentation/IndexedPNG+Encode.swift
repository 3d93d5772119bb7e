import CZlib
import Foundation

extension IndexedPNG {
    /// Encodes `mask` as an 8-bit palette PNG with `palette` (the DAVIS colour map by default), the
    /// format the DAVIS evaluation and every VOS code base read back as indices.
    public static func encode(_ mask: LabelMask, palette: [(UInt8, UInt8, UInt8)] = DavisPalette.colors)
        throws(SegmentationError) -> [UInt8]
    {
        guard (1...256).contains(palette.count) else {
            throw SegmentationError(.invalidArgument, "a PNG palette holds 1...256 colours, got \(palette.count)")
        }
        var header: [UInt8] = []
        appendUInt32(&header, UInt32(mask.width))
        appendUInt32(&header, UInt32(mask.height))
        header += [8, 3, 0, 0, 0]  // depth 8, palette, deflate, filter method 0, not interlaced
        var raw = [UInt8]()
        raw.reserveCapacity(mask.height * (mask.width + 1))
        for y in 0..<mask.height {
            raw.append(0)  // filter: none
            raw += mask.labels[(y * mask.width)..<((y + 1) * mask.width)]
        }
        var bound = compressBound(uLong(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(bound))
        let status = compressed.withUnsafeMutableBufferPointer { out in
            raw.withUnsafeBufferPointer { input in
                compress2(out.baseAddress, &bound, input.baseAddress, uLong(input.count), Z_DEFAULT_COMPRESSION)
            }
        }
        guard status == Z_OK else { throw SegmentationError(.io, "zlib compress2 failed (status \(status))") }
        compressed.removeSubrange(Int(bound)...)
        var out = signature
        appendChunk(&out, "IHDR", header)
        appendChunk(&out, "PLTE", palette.flatMap { [$0.0, $0.1, $0.2] })
        appendChunk(&out, "IDAT", compressed)
        appendChunk(&out, "IEND", [])
        return out
    }

    /// Writes `mask` to `path` as a palette PNG (atomically: a reader never sees half a file).
    public static func write(_ mask: LabelMask, to path: String,
                             palette: [(UInt8, UInt8, UInt8)] = DavisPalette.colors) throws(SegmentationError) {
        let bytes = try encode(mask, palette: palette)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw SegmentationError(.io, "\(path): cannot write (\(error.localizedDescription))")
        }
    }

    private static func appendUInt32(_ out: inout [UInt8], _ value: UInt32) {
        out += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    private static func appendChunk(_ out: inout [UInt8], _ type: String, _ body: [UInt8]) {
        appendUInt32(&out, UInt32(body.count))
        let typed = Array(type.utf8) + body
        out += typed
        let crc = typed.withUnsafeBufferPointer { UInt32(truncatingIfNeeded: crc32_z(0, $0.baseAddress, $0.count)) }
        appendUInt32(&out, crc)
    }
}
