import Foundation
import Testing
import VidiRetrieval
import VidiTensor
import VidiTestSupport

/// An index built from the `basic` golden videos must rank the golden texts exactly as the NumPy WTI
/// reference scores them (`Tools/goldens/make_retrieval_goldens.py`).
struct IndexTests {
    static func build(_ storage: IndexFormat.Storage, in dir: URL, name: String = "i.vidx") throws -> (String, DRLModel, TokenFeatures) {
        let model = try InteractionGoldenTests.model("basic", width: 16)
        let (text, video) = try InteractionGoldenTests.features("basic")
        let counts = try video.validCounts()
        let videos = try (0..<video.batch).map { b -> IndexedVideo in
            let frames = try video.features.selecting(axis: 0, index: b).narrowed(axis: 0, start: 0, length: counts[b]).contiguous()
            return try IndexedVideo.make(id: "video\(b)", frames: frames, model: model, interaction: .wti)
        }
        let path = dir.appendingPathComponent(name).path
        try IndexWriter.write(videos, to: path, slots: video.length, storage: storage, interaction: .wti, model: "golden")
        return (path, model, text)
    }

    @Test(arguments: [IndexFormat.Storage.float32, .float16])
    func exactSearchReproducesTheReferenceScores(storage: IndexFormat.Storage) throws {
        let dir = try Fixtures.temporaryDirectory("vidi-index")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (path, model, text) = try Self.build(storage, in: dir)
        let index = try RetrievalIndex(path: path)
        #expect(index.count == 4 && index.slots == 6 && index.dimension == 16 && index.storage == storage)
        #expect(index.metadata.ids == ["video0", "video1", "video2", "video3"])
        let expected = try InteractionGoldenTests.g("basic_wti").scalars
        let queries = try FeatureScoring.prepareTexts(text, model: model, interaction: .wti)
        let tolerance: Float = storage == .float32 ? 1e-5 : 2e-3
        for (a, query) in queries.enumerated() {
            let hits = try index.search(query, top: 4)
            let row = Array(expected[(a * 4)..<((a + 1) * 4)])
            #expect(hits.map(\.rank) == [1, 2, 3, 4])
            for hit in hits { #expect(abs(hit.score - row[hit.video]) <= tolerance, "text \(a) video \(hit.video)") }
            if storage == .float32 {
                let order = row.indices.sorted { row[$0] > row[$1] }
                #expect(hits.map(\.video) == order)
            }
            let twoStage = try index.search(query, top: 2, mode: .twoStage(candidates: 4))
            #expect(twoStage == Array(hits.prefix(2)))
        }
    }

    @Test func corruptedTruncatedOrForeignFilesAreRejected() throws {
        let dir = try Fixtures.temporaryDirectory("vidi-index")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (path, _, _) = try Self.build(.float32, in: dir)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let flipped = dir.appendingPathComponent("flipped.vidx").path
        bytes[bytes.count - 10] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: flipped))
        #expect(throws: RetrievalError.self) { try RetrievalIndex(path: flipped) }
        let truncated = dir.appendingPathComponent("truncated.vidx").path
        try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: truncated))
        #expect(throws: RetrievalError.self) { try RetrievalIndex(path: truncated) }
        let text = dir.appendingPathComponent("text.vidx").path
        try Data(repeating: 65, count: 200).write(to: URL(fileURLWithPath: text))
        #expect(throws: RetrievalError.self) { try RetrievalIndex(path: text) }
        #expect(throws: RetrievalError.self) { try RetrievalIndex(path: dir.appendingPathComponent("missing").path) }
    }

    @Test func aCrashBeforeTheRenameLeavesThePreviousIndex() throws {
        struct Crash: Error {}
        let dir = try Fixtures.temporaryDirectory("vidi-index")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (path, _, _) = try Self.build(.float32, in: dir)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let index = try RetrievalIndex(path: path)
        let more = try index.allVideos() + [IndexedVideo(id: "extra", features: [Float](repeating: 0.25, count: 16), weights: [1])]
        #expect(throws: Crash.self) {
            try IndexWriter.write(more, to: path, slots: 6, interaction: .wti, model: nil, beforeRename: { throw Crash() })
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try RetrievalIndex(path: path).count == 4)
        try IndexWriter.write(more, to: path, slots: 6, interaction: .wti, model: nil)
        let grown = try RetrievalIndex(path: path)
        #expect(grown.count == 5 && grown.metadata.ids.last == "extra")
        #expect(try grown.video(2) == index.video(2))
    }
}
