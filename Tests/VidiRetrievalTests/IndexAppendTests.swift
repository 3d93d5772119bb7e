import Foundation
import Testing
@testable import VidiRetrieval
import VidiTensor
import VidiTestSupport

/// `IndexWriter.append` (`vidi index add`): a new segment and a commit record, O(added); a crash or kill
/// at any point leaves the previous index readable and intact.
struct IndexAppendTests {
    static func extra(_ k: Int) throws -> IndexedVideo {
        var features = [Float](repeating: 0, count: 2 * 16)
        features[k % 16] = 1; features[16 + (k + 3) % 16] = 1
        return try IndexedVideo(id: "extra\(k)", features: features, weights: [0.75, 0.25])
    }

    static func bytes(_ path: String) throws -> [UInt8] { try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) }

    /// Every score of every golden text against the index, for comparing two indexes' behaviour.
    static func scores(_ index: RetrievalIndex, _ model: DRLModel, _ text: TokenFeatures) throws -> [[RetrievalIndex.Hit]] {
        try FeatureScoring.prepareTexts(text, model: model, interaction: .wti).map { try index.search($0, top: index.count) }
    }

    @Test func addAppendsASegmentAndLeavesCommittedBytesAlone() throws {
        let dir = try Fixtures.temporaryDirectory("vidi-index-add")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (path, model, text) = try IndexTests.build(.float16, in: dir)
        let before = try Self.bytes(path)
        let original = try RetrievalIndex(path: path)
        #expect(original.formatVersion == 2 && original.segmentCount == 1)
        try IndexWriter.append([Self.extra(0), Self.extra(1)], to: path, model: "golden")
        try IndexWriter.append([Self.extra(2)], to: path, model: "golden")
        let after = try Self.bytes(path)
        // The first segment's bytes are untouched; only a commit record in the first 128 bytes changed.
        #expect(Array(after[128..<before.count]) == Array(before[128...]))
        let grown = try RetrievalIndex(path: path, verify: true)
        #expect(grown.count == 7 && grown.segmentCount == 3)
        #expect(grown.metadata.ids == original.metadata.ids + ["extra0", "extra1", "extra2"])
        for i in 0..<original.count { #expect(try grown.video(i) == original.video(i)) }
        // float16 storage of 0/1 values and the weights are exact.
        #expect(try grown.video(5) == Self.extra(1))
        // Search over several segments equals a single-segment index of the same videos.
        let single = dir.appendingPathComponent("single.vidx").path
        try IndexWriter.write(grown.allVideos(), to: single, slots: grown.slots, storage: .float16, interaction: .wti, model: "golden")
        let one = try RetrievalIndex(path: single)
        #expect(try Self.scores(grown, model, text) == Self.scores(one, model, text))
        // Pooled vectors are the stored ones, segment after segment (not recomputed from float16 frames).
        #expect(grown.pooledVectors() == original.pooledVectors() + [0, 1, 2].flatMap { try! Self.extra($0).pooled })
        let twoStage = try FeatureScoring.prepareTexts(text, model: model, interaction: .wti).map { try grown.search($0, top: 3, mode: .twoStage(candidates: 4)) }
        let twoStageOne = try FeatureScoring.prepareTexts(text, model: model, interaction: .wti).map { try one.search($0, top: 3, mode: .twoStage(candidates: 4)) }
        #expect(twoStage == twoStageOne)
    }

    @Test func aCrashBeforeTheCommitOrAKillMidWriteLeavesThePreviousIndex() throws {
        struct Crash: Error {}
        let dir = try Fixtures.temporaryDirectory("vidi-index-add")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (path, model, text) = try IndexTests.build(.float32, in: dir)
        let before = try Self.bytes(path)
        let reference = try Self.scores(RetrievalIndex(path: path), model, text)
        // Segment durable, commit never written.
        #expect(throws: Crash.self) { try IndexWriter.append([Self.extra(0)], to: path, model: "golden", beforeCommit: { throw Crash() }) }
        let crashed = try Self.bytes(path)
        #expect(crashed.count > before.count && Array(crashed.prefix(before.count)) == before)
        #expect(try RetrievalIndex(path: path, verify: true).count == 4)
        #expect(try Self.scores(RetrievalIndex(path: path), model, text) == reference)
        // Killed halfway through writing the segment: every cut of the tail reads as the previous index.
        for cut in stride(from: before.count + 1, to: crashed.count, by: 97) {
            try Data(crashed.prefix(cut)).write(to: URL(fileURLWithPath: path))
            #expect(try RetrievalIndex(path: path, verify: true).count == 4)
        }
        // The next add cuts the uncommitted tail and commits.
        try IndexWriter.append([Self.extra(1)], to: path, model: "golden")
        let grown = try RetrievalIndex(path: path, verify: true)
        #expect(grown.count == 5 && grown.metadata.ids.last == "extra1")
        #expect(try Self.bytes(path).count == crashed.count)
    }

    @Test func aTornCommitRecordFallsBackToThePreviousCommit() throws {
        let dir = try Fixtures.temporaryDirectory("vidi-index-add")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (path, _, _) = try IndexTests.build(.float32, in: dir)
        try IndexWriter.append([Self.extra(0)], to: path, model: "golden")
        let index = try RetrievalIndex(path: path)
        #expect(index.count == 5 && index.commitSlot == 1)
        var bytes = try Self.bytes(path)
        bytes[64 + 20] ^= 0xFF   // record B (the newest) torn
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try RetrievalIndex(path: path, verify: true).count == 4)
        bytes[20] ^= 0xFF        // both torn: nothing to trust
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: RetrievalError.self) { try RetrievalIndex(path: path) }
    }

    /// Files of the first format (one segment, no commit records) still open, and `add` rewrites them once.
    @Test func versionOneFilesAreReadAndUpgradedByAdd() throws {
        let dir = try Fixtures.temporaryDirectory("vidi-index-add")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (path, model, text) = try IndexTests.build(.float32, in: dir)
        let current = try RetrievalIndex(path: path)
        let old = dir.appendingPathComponent("v1.vidx").path
        let videos = try current.allVideos()
        let image = try IndexWriter.encodeSegment(ids: current.metadata.ids, dimension: current.dimension, slots: current.slots,
                                                  interaction: .wti, model: "golden") { videos[$0] }
        try Data(image).write(to: URL(fileURLWithPath: old))
        let v1 = try RetrievalIndex(path: old, verify: true)
        #expect(v1.formatVersion == 1 && v1.count == 4)
        #expect(try Self.scores(v1, model, text) == Self.scores(current, model, text))
        try IndexWriter.append([Self.extra(0)], to: old, model: "golden")
        let upgraded = try RetrievalIndex(path: old, verify: true)
        #expect(upgraded.formatVersion == 2 && upgraded.count == 5)
        var future = image
        future[8] = 9
        try Data(future).write(to: URL(fileURLWithPath: old))
        #expect(throws: RetrievalError.self) { try RetrievalIndex(path: old) }
    }
}
