import Foundation
import Testing
import VidiFormats
import VidiLocalization
import VidiMedia
import VidiModelStages
import VidiTensor
import VidiTestSupport
@testable import VidiPipeline

/// The `localize` stage under `vidi run`: snippet features decoded in the run, the localizer, and one
/// ActivityNet predictions.json for the whole manifest — byte-identical for 1 or 2 workers and a
/// `--shard` split, a crash resumed to the same bytes, and the predictions those of the library API
/// (`SnippetFeatureExtractor` + `Localizer`) on the same video. Backbone: the torchvision golden's
/// resnet18 (16-d, random weights); localizer: the bundled synthetic RCL model (16 channels).
@Suite struct LocalizeStageTests {
    static let videos = ["h264-closedgop.mp4", "bad-random.mp4", "pan-h264.mp4", "vfr.mp4", "mpeg4-part2.mp4"]
    static let backbone = Fixtures.path("golden/localization/features/resnet18_w16.safetensors")
    static let model = BundledLocalization.modelPath!

    struct Setup {
        let dir: URL
        let manifest: Manifest
        let spec: PipelineSpec
    }

    func setup(model: String = Self.model) throws -> Setup {
        let dir = try Fixtures.temporaryDirectory("vidi-localize-stage")
        let list = dir.appendingPathComponent("list.txt").path
        try Self.videos.map { Fixtures.path("media/\($0)") }.joined(separator: "\n").write(toFile: list, atomically: true, encoding: .utf8)
        let yaml = """
            stages:
              - localize: {backbone: \(Self.backbone), model: \(model), stride: 8, window: 16, resize: 40, size: 32, batch: 2, keep: 20, predictions: predictions.json}
            output: {samples_per_shard: 2}
            """
        let catalog = try StageCatalog.standard.merging(.models)
        return Setup(dir: dir, manifest: try Manifest.load(path: list), spec: try PipelineSpec.parse(yaml: yaml, catalog: catalog))
    }

    func run(_ s: Setup, into output: URL, workers: Int, selection: ShardSelection = .all, resume: Bool = false,
             crash: (@Sendable (CrashPoint) throws -> Void)? = nil) async throws -> RunSummary {
        var options = RunOptions(workers: workers)
        options.selection = selection
        options.resume = resume
        options.crashHook = crash
        return try await PipelineRunner(spec: s.spec, manifest: s.manifest, outputDirectory: output.path, options: options).run()
    }

    /// Every output file, stats files without their timing fields.
    func comparable(_ output: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: output.path)
        while let item = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = output.appendingPathComponent(item).path
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            var data = FileManager.default.contents(atPath: path) ?? Data()
            if item.hasSuffix("_stats.json") {
                var stats = try JSONDecoder().decode(ShardStats.self, from: data)
                (stats.seconds, stats.stageSeconds, stats.startedAt, stats.finishedAt) = (0, [:], "", "")
                data = Data(try stats.encoded())
            }
            files[item] = data
        }
        return files
    }

    @Test func workersShardsAndTheLibraryAgree() async throws {
        let s = try setup()
        let one = s.dir.appendingPathComponent("one"), two = s.dir.appendingPathComponent("two"), split = s.dir.appendingPathComponent("split")
        let first = try await run(s, into: one, workers: 1)
        #expect(first.succeeded == 4 && first.failures.map(\.source) == [Fixtures.path("media/bad-random.mp4")])
        #expect(first.runOutputsWritten == [one.appendingPathComponent("predictions.json").path])
        _ = try await run(s, into: two, workers: 2)
        for shard in 0..<3 {
            _ = try await run(s, into: split, workers: 2, selection: ShardSelection(index: shard, count: 3))
        }
        let reference = try comparable(one)
        #expect(reference.keys.contains("predictions.json"))
        #expect(try comparable(two) == reference)
        #expect(try comparable(split) == reference)

        // The run's file lists the videos that succeeded, in manifest order, by file name.
        let written = try PredictionFile.read(path: one.appendingPathComponent("predictions.json").path)
        #expect(written.videos.map(\.id) == ["h264-closedgop", "pan-h264", "vfr", "mpeg4-part2"])
        // The library on pan-h264 alone (batched with vfr in the run: the same up to summation order).
        let extractor = try SnippetFeatureExtractor(weights: Self.backbone, stride: 8, window: 16, resize: 40, crop: 32)
        let extracted = try extractor.extract(VideoReader(path: Fixtures.path("media/pan-h264.mp4")))
        let localizer = try Localizer(checkpoint: Self.model)
        localizer.keep = 20
        let want = try localizer.localize(features: extracted.features, grid: extracted.sidecar.grid(), duration: extracted.sidecar.duration)
        let got = written.videos[1].predictions
        #expect(got.count == want.count && !got.isEmpty)
        #expect(zip(got, want).allSatisfy { $0.label == $1.label && abs($0.score - $1.score) < 1e-5 && abs($0.start - $1.start) < 1e-4 && abs($0.end - $1.end) < 1e-4 })

        // Per sample: the features and a JSON with the sidecar and the predictions.
        let members = try TarFileReader.entries(path: one.appendingPathComponent("00001.tar").path)
        let npy = try #require(members.first { $0.name == "000000002.localization.npy" })
        #expect(try NPYFormat.decode(npy.bytes).shape == [11, 16])
        #expect(members.contains { $0.name == "000000002.localization.json" })
    }

    @Test(arguments: [CrashPoint.afterSample(shard: "00001", written: 1), .beforeShardRename(shard: "00001"),
                      .beforeStatsRename(shard: "00002")])
    func aCrashResumesToTheUninterruptedBytes(point: CrashPoint) async throws {
        struct Crash: Error {}
        let s = try setup()
        let reference = s.dir.appendingPathComponent("reference"), crashed = s.dir.appendingPathComponent("crashed")
        _ = try await run(s, into: reference, workers: 2)
        await #expect(throws: Crash.self) {
            _ = try await run(s, into: crashed, workers: 2) { reached in if reached == point { throw Crash() } }
        }
        #expect(!FileManager.default.fileExists(atPath: crashed.appendingPathComponent("predictions.json").path))
        let resumed = try await run(s, into: crashed, workers: 1, resume: true)
        #expect(resumed.shardsSkipped >= 1)
        let clean = try comparable(crashed).filter { !$0.key.hasPrefix(".") && !$0.key.contains("/.") }
        #expect(clean == (try comparable(reference)))
    }

    @Test func aModelOfAnotherWidthStopsTheRunBeforeAnyVideo() async throws {
        let dir = try Fixtures.temporaryDirectory("vidi-localize-stage")
        let other = dir.appendingPathComponent("rcl8.safetensors").path
        try Localizer(model: LocalizationModel(LocalizerConfiguration(head: .continuous, inputChannels: 8, classes: ["a"]), seed: 1)).save(to: other)
        let s = try setup(model: other)
        await #expect {
            _ = try await run(s, into: s.dir.appendingPathComponent("never"), workers: 1)
        } throws: { error in
            "\(error)".contains("16-d features but model \(other) expects 8")
        }
        #expect(!FileManager.default.fileExists(atPath: s.dir.appendingPathComponent("never/00000.tar").path))
    }
}
