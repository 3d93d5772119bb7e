import VidiPipeline
import VidiRetrieval

/// One video's indexed frames as a run record (little-endian): interaction (UInt8: 0 TI, 1 WTI),
/// id length (UInt32) and UTF-8 id, frames F and dimension D (UInt32 each), F·D features and F weights
/// (float32 bit patterns). Records are exact, so a merged index equals one written in a single process.
enum RetrievalIndexRecord {
    static func encode(_ video: IndexedVideo, interaction: Interaction) -> [UInt8] {
        var bytes: [UInt8] = [interaction == .wti ? 1 : 0]
        func put(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        let id = Array(video.id.utf8)
        put(UInt32(id.count))
        bytes += id
        put(UInt32(video.frameCount))
        put(UInt32(video.dimension))
        for x in video.features + video.weights { put(x.bitPattern) }
        return bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> (video: IndexedVideo, interaction: Interaction) {
        var offset = 0
        func fail() -> PipelineError { PipelineError.stage(stage: "retrieval_index", message: "a run record is truncated or corrupt (\(bytes.count) bytes)") }
        func get() throws -> UInt32 {
            guard offset + 4 <= bytes.count else { throw fail() }
            var value: UInt32 = 0
            for k in 0..<4 { value |= UInt32(bytes[offset + k]) << (8 * k) }
            offset += 4
            return value
        }
        guard let kind = bytes.first, kind <= 1 else { throw fail() }
        offset = 1
        let idLength = Int(try get())
        guard offset + idLength <= bytes.count else { throw fail() }
        let id = String(decoding: bytes[offset..<(offset + idLength)], as: UTF8.self)
        offset += idLength
        let frames = Int(try get()), dimension = Int(try get())
        guard frames > 0, dimension > 0, bytes.count - offset == (frames * dimension + frames) * 4 else { throw fail() }
        var values: [Float] = []
        values.reserveCapacity(frames * dimension + frames)
        for _ in 0..<(frames * dimension + frames) { values.append(Float(bitPattern: try get())) }
        let video = try IndexedVideo(id: id, features: Array(values[0..<(frames * dimension)]), weights: Array(values[(frames * dimension)...]))
        return (video, kind == 1 ? .wti : .ti)
    }
}
