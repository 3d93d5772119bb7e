import CZlib

/// Raw deflate (no zlib/gzip wrapper, as zip stores it) and CRC-32, over zlib.
enum NPZZlib {
    /// zlib counts in 32-bit `uInt`; feed it at most this much per call.
    private static let chunk = 1 << 30

    static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress else { return 0 }
        return UInt32(truncatingIfNeeded: crc32_z(0, base.assumingMemoryBound(to: Bytef.self), bytes.count))
    }

    /// Inflates `source` into exactly `expectedCount` bytes; anything else is a corrupt member.
    static func inflate(_ source: UnsafeRawBufferPointer, expectedCount: Int, member: String) throws(TensorFileError) -> [UInt8] {
        var stream = z_stream()
        guard CZlib_inflateInit2(&stream, -15) == Z_OK else {
            throw TensorFileError(.io, key: member, "zlib inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }
        // One spare byte catches members that inflate to more than the archive declares.
        var output = [UInt8](repeating: 0, count: expectedCount + 1)
        var status = Z_OK
        var consumed = 0
        var produced = 0
        output.withUnsafeMutableBytes { out in
            while true {
                // zlib's API takes a mutable input pointer but does not write through it.
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress.map { ($0 + consumed).assumingMemoryBound(to: Bytef.self) })
                stream.avail_in = uInt(min(chunk, source.count - consumed))
                stream.next_out = out.baseAddress.map { ($0 + produced).assumingMemoryBound(to: Bytef.self) }
                stream.avail_out = uInt(min(chunk, out.count - produced))
                let (inBefore, outBefore) = (stream.avail_in, stream.avail_out)
                status = CZlib.inflate(&stream, Z_NO_FLUSH)
                consumed += Int(inBefore - stream.avail_in)
                produced += Int(outBefore - stream.avail_out)
                // Z_BUF_ERROR means no progress was possible: input exhausted or output full.
                guard status == Z_OK else { break }
            }
        }
        output.removeLast()
        guard status == Z_STREAM_END else {
            let why = produced > expectedCount ? "inflates to more than the \(expectedCount) bytes the archive declares"
                : status == Z_BUF_ERROR ? "compressed data ends early" : "corrupt deflate data (zlib status \(status))"
            throw TensorFileError(.badArchive, key: member, why)
        }
        guard produced == expectedCount else {
            throw TensorFileError(.badArchive, key: member, "inflates to \(produced) bytes but the archive says \(expectedCount)")
        }
        return output
    }

    /// Deflates `source` at zlib's default level (what Python's zipfile uses).
    static func deflate(_ source: UnsafeRawBufferPointer) throws(TensorFileError) -> [UInt8] {
        var stream = z_stream()
        guard CZlib_deflateInit2(&stream, Z_DEFAULT_COMPRESSION, -15) == Z_OK else {
            throw TensorFileError(.io, "zlib deflateInit2 failed")
        }
        defer { deflateEnd(&stream) }
        var output: [UInt8] = []
        var consumed = 0
        var status = Z_OK
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        repeat {
            let inCount = min(chunk, source.count - consumed)
            let last = consumed + inCount == source.count
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress.map { ($0 + consumed).assumingMemoryBound(to: Bytef.self) })
            stream.avail_in = uInt(inCount)
            repeat {
                buffer.withUnsafeMutableBytes { out in
                    stream.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    stream.avail_out = uInt(out.count)
                    status = CZlib.deflate(&stream, last ? Z_FINISH : Z_NO_FLUSH)
                }
                output += buffer[0..<(buffer.count - Int(stream.avail_out))]
            } while stream.avail_out == 0 && status != Z_STREAM_END
            consumed += inCount
        } while consumed < source.count && status == Z_OK
        guard status == Z_STREAM_END else { throw TensorFileError(.io, "zlib deflate failed (status \(status))") }
        return output
    }
}
