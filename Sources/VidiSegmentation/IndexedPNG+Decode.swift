import CZlib
import Foundation

/// Indexed (palette) and grayscale PNGs, the files DAVIS masks live in, read and written without FFmpeg:
/// FFmpeg's PNG decoder converts palette images to colours, while a mask needs the indices themselves.
/// Reads colour types 0 (grayscale) and 3 (palette) at bit depths 1, 2, 4 and 8, non-interlaced — what
/// PIL writes for `Image.fromarray(uint8).putpalette(...)` and what DAVIS ships; the label of a pixel is
/// its palette index (or grey value), as `np.array(PIL.Image.open(path))` returns it.
public enum IndexedPNG {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Reads a mask from `path`.
    public static func read(path: String) throws(SegmentationError) -> LabelMask {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SegmentationError(.io, "\(path): cannot read the file")
        }
        return try decode([UInt8](data), label: path)
    }

    /// Decodes PNG bytes; `label` names the source in errors.
    public static func decode(_ bytes: [UInt8], label: String = "<png>") throws(SegmentationError) -> LabelMask {
        func fail(_ why: String) -> SegmentationError { SegmentationError(.badImage, "\(label): \(why)") }
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else { throw fail("not a PNG file") }
        var position = 8
        var header: (width: Int, height: Int, depth: Int, colorType: Int, interlace: Int)?
        var compressed: [UInt8] = []
        var sawEnd = false
        while position + 12 <= bytes.count {
            let length = Int(readUInt32(bytes, position))
            let typeStart = position + 4
            guard length <= bytes.count - typeStart - 8 else { throw fail("chunk at byte \(position) runs past the end") }
            let bodyStart = typeStart + 4
            let type = String(decoding: bytes[typeStart..<bodyStart], as: UTF8.self)
            let storedCRC = readUInt32(bytes, bodyStart + length)
            let actualCRC = bytes.withUnsafeBufferPointer { buffer -> UInt32 in
                UInt32(truncatingIfNeeded: crc32_z(0, buffer.baseAddress! + typeStart, length + 4))
            }
            guard storedCRC == actualCRC else { throw fail("bad CRC in the \(type) chunk") }
            switch type {
            case "IHDR":
                guard length == 13 else { throw fail("IHDR of \(length) bytes") }
                let width = Int(readUInt32(bytes, bodyStart)), height = Int(readUInt32(bytes, bodyStart + 4))
                header = (width, height, Int(bytes[bodyStart + 8]), Int(bytes[bodyStart + 9]), Int(bytes[bodyStart + 12]))
            case "IDAT":
                compressed += bytes[bodyStart..<(bodyStart + length)]
            case "IEND":
                sawEnd = true
            default:
                break  // PLTE, tRNS and other ancillary chunks do not change the indices
            }
            position = bodyStart + length + 4
            if sawEnd { break }
        }
        guard let header else { throw fail("no IHDR chunk") }
        guard sawEnd else { throw fail("truncated (no IEND chunk)") }
        guard header.width > 0, header.height > 0, header.width <= 1 << 16, header.height <= 1 << 16 else {
            throw fail("unsupported size \(header.width)x\(header.height)")
        }
        guard header.colorType == 0 || header.colorType == 3 else {
            throw fail("colour type \(header.colorType) is not a mask; masks are indexed (palette) or 8-bit grayscale PNGs")
        }
        guard [1, 2, 4, 8].contains(header.depth) else { throw fail("bit depth \(header.depth) is not supported (1, 2, 4 or 8)") }
        guard header.interlace == 0 else { throw fail("interlaced PNGs are not supported") }
        let rowBytes = (header.width * header.depth + 7) / 8
        let raw = try inflate(compressed, count: header.height * (rowBytes + 1), fail: fail)
        let rows = try unfilter(raw, rowBytes: rowBytes, height: header.height, fail: fail)
        return try unpack(rows, width: header.width, height: header.height, rowBytes: rowBytes, depth: header.depth)
    }

    static func readUInt32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }

    private static func inflate(_ source: [UInt8], count: Int,
                                fail: (String) -> SegmentationError) throws(SegmentationError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: count)
        var produced = uLongf(count)
        let status = output.withUnsafeMutableBufferPointer { out in
            source.withUnsafeBufferPointer { input in
                uncompress(out.baseAddress, &produced, input.baseAddress, uLong(input.count))
            }
        }
        guard status == Z_OK, Int(produced) == count else {
            throw fail(status == Z_OK ? "image data inflates to \(produced) bytes, expected \(count)"
                       : "corrupt image data (zlib status \(status))")
        }
        return output
    }

    /// Undoes the per-row filters (none, sub, up, average, Paeth); bytes per pixel is 1 for these formats.
    private static func unfilter(_ raw: [UInt8], rowBytes: Int, height: Int,
                                 fail: (String) -> SegmentationError) throws(SegmentationError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: rowBytes * height)
        for y in 0..<height {
            let filter = raw[y * (rowBytes + 1)]
            let src = y * (rowBytes + 1) + 1, dst = y * rowBytes
            for x in 0..<rowBytes {
                let a = x > 0 ? Int(out[dst + x - 1]) : 0
                let b = y > 0 ? Int(out[dst - rowBytes + x]) : 0
                let c = x > 0 && y > 0 ? Int(out[dst - rowBytes + x - 1]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                default: throw fail("unknown row filter \(filter) in row \(y)")
                }
                out[dst + x] = raw[src + x] &+ UInt8(truncatingIfNeeded: predictor)
            }
        }
        return out
    }

    private static func unpack(_ rows: [UInt8], width: Int, height: Int, rowBytes: Int,
                               depth: Int) throws(SegmentationError) -> LabelMask {
        if depth == 8 { return try LabelMask(width: width, height: height, labels: rows) }
        var labels = [UInt8](repeating: 0, count: width * height)
        let perByte = 8 / depth, mask = UInt8((1 << depth) - 1)
        for y in 0..<height {
            for x in 0..<width {
                let byte = rows[y * rowBytes + x / perByte]
                let shift = 8 - depth * (x % perByte + 1)
                labels[y * width + x] = (byte >> UInt8(shift)) & mask
            }
        }
        return try LabelMask(width: width, height: height, labels: labels)
    }
}
