import CFFmpeg

extension VideoReader {
    /// A file cut at a packet boundary demuxes cleanly to the cut and then reports a normal end, so the
    /// scan alone takes it for a shorter, intact video. Containers with a sample index (MP4/MOV sample
    /// tables, AVI idx1, Matroska cues read up front) still list the lost packets, at byte offsets past
    /// the end of the file: count them. Returns a warning, or nil (intact, a URL, or no such index).
    static func truncationWarning(path: String, stream: UnsafeMutablePointer<AVStream>) -> String? {
        guard let size = fileSize(path), size > 0 else { return nil }
        var past = 0
        for i in 0..<avformat_index_get_entries_count(stream) {
            guard let entry = avformat_index_get_entry(stream, i) else { continue }
            if entry.pointee.pos >= 0, entry.pointee.pos + Int64(entry.pointee.size) > size { past += 1 }
        }
        guard past > 0 else { return nil }
        return "the container indexes \(past) video packet(s) past the end of the file (\(size) bytes): truncated file"
    }
}
