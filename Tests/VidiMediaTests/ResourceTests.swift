import Foundation
import Testing
@testable import VidiMedia
import VidiTensor

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
        // RSS is the whole test process's, and other suites allocate in parallel (up to ~300 MB seen in
        // one stretch), so measure two halves of 5,000 opens and take the smaller growth: a leak grows
        // both (one lost 32 KB I/O buffer per reader adds 160 MB per half; a lost reader far more),
        // while a neighbour's allocation burst rarely spans both.
        var growth: [Int] = []
        for half in 0..<2 {
            // Freed tensor blocks the neighbours' tensor allocator keeps for reuse are not a leak.
            let before = Self.residentBytes() - TensorStorage.cachedMemoryBytes
            for i in (half * 5_000)..<((half + 1) * 5_000) {
                let reader = try VideoReader(path: path)
                if i % 16 == 0 { _ = try reader.frame(at: i % reader.info.frameCount) }
            }
            growth.append(Self.residentBytes() - TensorStorage.cachedMemoryBytes - before)
        }
        let grown = growth.min() ?? 0
        #expect(grown < 100 * 1024 * 1024, "RSS grew by \(growth.map { $0 / 1024 }) KiB over two halves")
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
