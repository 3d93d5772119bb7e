import Foundation
import Testing
import VidiFormats
import VidiMedia
import VidiModelStages
import VidiNN
import VidiSegmentation
import VidiTensor
import VidiTestSupport
@testable import VidiPipeline

/// The `segment` stage under `vidi run`: masks from a manifest column, per-frame palette PNGs in the
/// shard equal to what `Segmenter` gives on the same decoded frames (`vidi segment`'s path), byte-identical
/// output for 1 and 2 workers, and a missing or mis-sized mask recorded as that video's failure.
@Suite struct SegmentStageTests {
    struct Setup {
        let dir: URL
        let data: String
        let weights: String
        let manifest: Manifest
        let spec: PipelineSpec
    }

    func setup() throws -> Setup {
        let dir = try Fixtures.temporaryDirectory("vidi-segment-stage")
        let data = dir.appendingPathComponent("data").path
        let writer = SyntheticVOSWriter(root: data, options: SyntheticVOSOptions(width: 48, height: 32, frames: 5, objects: 2...2), seed: 7)
        let names = try writer.write(count: 2)
        var generator = RandomGenerator(seed: 3)
        let weights = dir.appendingPathComponent("w.safetensors").path
        try STCN(.small(rde: true), generator: &generator).saveStateDict(to: weights)
        try IndexedPNG.write(LabelMask(width: 10, height: 10, fill: 1), to: dir.appendingPathComponent("small.png").path)
        // Paths relative to the manifest's folder; row 3 names no file, row 4 a mask of the wrong size.
        let rows = ["path,mask"] + names.map { "data/videos/\($0).mp4,data/Annotations/480p/\($0)/00000.png" }
            + ["data/videos/\(names[0]).mp4,missing.png", "data/videos/\(names[1]).mp4,small.png"]
        let manifestPath = dir.appendingPathComponent("videos.csv").path
        try rows.joined(separator: "\n").write(toFile: manifestPath, atomically: true, encoding: .utf8)
        let yaml = """
            stages:
              - segment: {weights: \(weights), mask_column: mask, memory: rde}
            output: {samples_per_shard: 2}
            """
        let catalog = try StageCatalog.standard.merging(.models)
        return Setup(dir: dir, data: data, weights: weights, manifest: try Manifest.load(path: manifestPath),
                     spec: try PipelineSpec.parse(yaml: yaml, catalog: catalog))
    }

    func run(_ s: Setup, into output: URL, workers: Int) async throws -> RunSummary {
        try await PipelineRunner(spec: s.spec, manifest: s.manifest, outputDirectory: output.path, options: RunOptions(workers: workers)).run()
    }

    @Test func workersGiveIdenticalBytesAndBadMasksAreFailures() async throws {
        let s = try setup()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let one = s.dir.appendingPathComponent("one"), two = s.dir.appendingPathComponent("two")
        let summary = try await run(s, into: one, workers: 1)
        #expect(summary.succeeded == 2)
        #expect(summary.failures.map(\.key) == ["000000002", "000000003"])
        #expect(summary.failures[0].reason.contains("missing.png") && summary.failures[1].reason.contains("10x10"))
        _ = try await run(s, into: two, workers: 2)
        let reference = try EmbedStageTests().comparable(one)
        #expect(try EmbedStageTests().comparable(two) == reference)

        // The shard's PNGs are what the Segmenter gives on the decoded frames.
        let members = try TarFileReader.entries(path: one.appendingPathComponent("00000.tar").path)
        let pngs = members.filter { $0.name.hasPrefix("000000000.masks.") }.map(\.name)
        #expect(pngs == (0..<5).map { String(format: "000000000.masks.%05d.png", $0) })
        let segmenter = try Segmenter(network: STCN(weights: Safetensors.read(path: s.weights)), options: SegmenterOptions(memory: .rde))
        let sequence = "synth-7-000"
        let first = try IndexedPNG.read(path: "\(s.data)/Annotations/480p/\(sequence)/00000.png")
        let reader = try VideoReader(path: "\(s.data)/videos/\(sequence).mp4")
        var expected: [[UInt8]] = []
        try reader.forEachFrame(FrameOutput(applyRotation: true, layout: .rgb8)) { decoded in
            guard let image = decoded.image, let rgb = image.rgb else { return }
            let result = try segmenter.step(rgb: rgb, width: image.width, height: image.height, mask: decoded.index == 0 ? first : nil,
                                            isLast: decoded.index == 4)
            expected.append(try IndexedPNG.encode(result.labels))
        }
        let got = pngs.map { name in members.first { $0.name == name }?.bytes ?? [] }
        #expect(got == expected)
    }
}
