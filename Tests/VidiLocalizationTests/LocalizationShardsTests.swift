import Foundation
import Testing
import VidiFormats
import VidiTensor
@testable import VidiLocalization

/// `LocalizationShards` writes what `PackedVideo` reads back: the shard holds, per video, the same grid
/// features and grid-unit ground truth as `GridVideo` computes directly from the `.npy` features (the
/// reference here), and the annotations in seconds unchanged.
@Suite struct LocalizationShardsTests {
    @Test func packedSamplesReadBackAsTheDirectGridVideo() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loc-shards-\(UUID().uuidString)").path
        // 10 snippets x 2 channels, value = 10·channel + snippet; resampled to a grid of 4 (r = 2.5).
        let features = try Tensor((0..<10).flatMap { i in [Float(i), Float(10 + i)] }, shape: [10, 2])
        let annotations = [LabeledSegment(start: 2, end: 6.5, label: "b"), LabeledSegment(start: 0, end: 1, label: "a")]
        let dataset = FeatureDataset(items: [.init(id: "clip.with.dots", features: features, duration: 10, annotations: annotations)])
        let grid = try FeatureGrid(stride: 2, window: 4, fps: 2)
        let paths = try LocalizationShards.write(dataset, subset: "training", classes: ["a", "b"], gridLength: 4, grid: grid,
                                                 perShard: 1, directory: folder, prefix: "training")
        #expect(paths.map { ($0 as NSString).lastPathComponent } == ["training-000000.tar"])
        let entries = try TarFileReader.entries(path: paths[0])
        #expect(entries.map(\.name) == ["000000.features.npy", "000000.json"])
        let packed = try PackedVideo(features: Tensor(npy: NPYFormat.decode(entries[0].bytes)), metadata: JSONValue.parse(entries[1].bytes), key: "000000")
        var direct = try GridVideo(features: features, gridLength: 4)
        try direct.setTruths(annotations, classes: ["a", "b"], grid: grid)
        #expect(packed.id == "clip.with.dots" && packed.duration == 10 && packed.grid == grid && packed.classes == ["a", "b"])
        #expect(packed.annotations == annotations)
        #expect(packed.video.features == direct.features && packed.video.scale == direct.scale && packed.video.length == 4)
        #expect(packed.video.truths.map { [$0.start, $0.end, Double($0.label)] } == direct.truths.map { [$0.start, $0.end, Double($0.label)] })
        try? FileManager.default.removeItem(atPath: folder)
    }

    @Test func aSampleThatIsNotPackedIsAnError() throws {
        #expect(throws: LocalizationError.self) {
            try PackedVideo(features: Tensor.zeros([2, 4]), metadata: .object(["id": .string("x")]), key: "000003")
        }
    }
}
