import Foundation
import Testing
@testable import VidiMedia

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
        for i in 0..<10_000 {
            let reader = try VideoReader(path: path)
            if i % 16 == 0 { _ = try reader.frame(at: i % reader.info.frameCount) }
        }
        let grown = Self.residentBytes() - before
        // RSS is the whole test process's, and other suites allocate in parallel (tens of MB seen), so
        // the bound is loose; a leak is not: even one lost 32 KB I/O buffer per reader adds 320 MB over
        // 10,000 opens, and a lost reader (demuxer, index, decoder, frame pool) far more.
        #expect(grown < 160 * 1024 * 1024, "RSS grew by \(grown / 1024) KiB")
    }

    @Test func everyWrapperIsFreedWithItsReader() throws {
        // Deterministic, unlike RSS: weak references to a reader's FFmpeg owners are nil once it is gone.
        weak var input: InputContext?
        weak var decoder: DecoderContext?
        weak var state: DecodeState?
        weak var packet: PacketBuffer?
        weak var picture: FrameBuffer?
        weak var converter: FrameConverter?
        do {
            let reader = try VideoReader(path: media("h264-bframes-opengop.mp4"))
            _ = try reader.frames(at: [3, 60])
            input = reader.input
            decoder = reader.decoder?.context
            state = reader.decoder
            packet = reader.packet
            picture = reader.picture
            converter = reader.converter
            #expect(input != nil && decoder != nil && state != nil && packet != nil && picture != nil && converter != nil)
        }
        #expect(input == nil && decoder == nil && state == nil && packet == nil && picture == nil && converter == nil)
    }
}
