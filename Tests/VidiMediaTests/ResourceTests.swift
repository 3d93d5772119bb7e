import Foundation
import Testing
import VidiMedia

/// Every FFmpeg object is freed when its owner goes away: opening and closing a file (and decoding a
/// frame) thousands of times leaves the resident set size flat.
@Suite struct ResourceTests {
    /// Resident pages from /proc/self/statm (second field) in bytes.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    @Test func openCloseAndDecodeDoNotLeak() throws {
        let path = media("vp9.webm")
        // Warm up allocator pools and FFmpeg's one-time tables first.
        for _ in 0..<100 { _ = try VideoReader(path: path).frame(at: 3) }
        let before = Self.residentBytes()
        for i in 0..<2_000 {
            let reader = try VideoReader(path: path)
            if i % 4 == 0 { _ = try reader.frame(at: i % reader.info.frameCount) }
        }
        let grown = Self.residentBytes() - before
        // A leaked reader holds its demuxer, index and decoder (~100 KB+); 2,000 of them would be >100 MB.
        #expect(grown < 8 * 1024 * 1024, "RSS grew by \(grown / 1024) KiB")
    }
}
