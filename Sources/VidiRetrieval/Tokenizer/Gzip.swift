import CZlib

enum Gzip {
    /// Inflates a whole gzip file.
    static func decompress(_ data: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        guard CZlib_inflateInit2(&stream, 16 + 15) == Z_OK else { throw RetrievalError.invalidArgument("zlib inflateInit2 failed") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var status: Int32 = Z_OK
        try data.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = UInt32(input.count)
            repeat {
                try chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(out.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    guard status == Z_OK || status == Z_STREAM_END else {
                        throw RetrievalError.invalidArgument("corrupt gzip data (zlib status \(status))")
                    }
                    output.append(contentsOf: out[0..<(out.count - Int(stream.avail_out))])
                }
            } while status != Z_STREAM_END && (stream.avail_in > 0 || stream.avail_out == 0)
        }
        guard status == Z_STREAM_END else { throw RetrievalError.invalidArgument("truncated gzip data") }
        return output
    }
}
