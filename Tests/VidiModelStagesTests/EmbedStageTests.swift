import Foundation
import Testing
import VidiFormats
import VidiMedia
import VidiModelStages
import VidiNN
import VidiTensor
import VidiTestSupport
@testable import VidiPipeline

/// A model stage under `vidi run`: per-worker model instances, batching across videos and a run-level
/// output keep the engine's guarantees — byte-identical output for any worker count or shard split,
/// and a crash at any step resumed to the bytes of an uninterrupted run.
@Suite struct EmbedStageTests {
    static let videos = ["h264-closedgop.mp4", "mpeg4-part2.mp4", "vfr.mp4", "odd-321x241.mp4", "rotated-90.mp4",
                         "bad-random.mp4", "h264-bframes-opengop.mp4", "vp9.webm", "mjpeg.avi"]

    struct Setup {
        let dir: URL
        let manifest: Manifest
        let spec: PipelineSpec
        let weights: String
    }

    /// A width-reduced torchvision ResNet-18 with seeded random weights, saved with torchvision's names.
    static func writeWeights(to path: String) throws {
        var generator = RandomGenerator(seed: 3)
        let model = ResNet(ResNet.Configuration(.resnet18, widths: [8, 16, 24, 32], classes: 10), generator: &generator)
        try model.saveStateDict(to: path)
    }

    func setup(batch: Int = 3) throws -> Setup {
        let dir = try Fixtures.temporaryDirectory("vidi-embed")
        let weights = dir.appendingPathComponent("r18.safetensors").path
        try Self.writeWeights(to: weights)
        let list = dir.appendingPathComponent("list.txt").path
        try Self.videos.map { Fixtures.path("media/\($0)") }.joined(separator: "\n").write(toFile: list, atomically: true, encoding: .utf8)
        let yaml = """
            stages:
              - resize: {shorter_side: 40, crop: [32, 32]}
              - frames: {sampler: {uniform: 3}}
              - embed: {weights: \(weights), batch: \(batch), collect: embeddings.npz}
            output: {samples_per_shard: 4}
            """
        let catalog = try StageCatalog.standard.merging(.models)
        return Setup(dir: dir, manifest: try Manifest.load(path: list), spec: try PipelineSpec.parse(yaml: yaml, catalog: catalog), weights: weights)
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

    @Test func workersAndShardSplitsGiveIdenticalBytes() async throws {
        let s = try setup()
        let one = s.dir.appendingPathComponent("one"), two = s.dir.appendingPathComponent("two"), split = s.dir.appendingPathComponent("split")
        let first = try await run(s, into: one, workers: 1)
        #expect(first.succeeded == 8 && first.failures.map(\.source) == [Fixtures.path("media/bad-random.mp4")])
        #expect(first.runOutputsWritten == [one.appendingPathComponent("embeddings.npz").path])
        _ = try await run(s, into: two, workers: 2)
        for shard in 0..<3 {
            let part = try await run(s, into: split, workers: 2, selection: ShardSelection(index: shard, count: 3))
            // Only the process that finishes the last shard can merge.
            #expect(part.runOutputsWritten.isEmpty == (shard < 2))
        }
        let reference = try comparable(one)
        #expect(reference.keys.contains("parts/embeddings.npz/00000.tar"))
        #expect(try comparable(two) == reference)
        #expect(try comparable(split) == reference)
    }

    @Test func embeddingsMatchTheModelOnTheSameFrames() async throws {
        let s = try setup(batch: 2)
        let output = s.dir.appendingPathComponent("out")
        _ = try await run(s, into: output, workers: 2)
        // Reference: the same frames decoded directly and embedded one video at a time.
        let embedder = try ResNetEmbedder(path: s.weights)
        let reader = try VideoReader(path: Fixtures.path("media/h264-closedgop.mp4"))
        let input = try reader.modelInput(ModelInputRequest(frames: .uniform(count: 3), resize: .shorterSide(40),
                                                             crop: .center(width: 32, height: 32), layout: .hwcBytes))
        let bytes = try #require(input.bytes)
        let images = (0..<3).map { Array(bytes[($0 * 32 * 32 * 3)..<(($0 + 1) * 32 * 32 * 3)]) }
        let expected = try embedder.embed(ResNetEmbedder.input(rgb: images, height: 32, width: 32))
        #expect(expected.shape == [3, 32])

        let members = try TarFileReader.entries(path: output.appendingPathComponent("00000.tar").path)
        let npy = try #require(members.first { $0.name == "000000000.embedding.npy" })
        let array = try NPYFormat.decode(npy.bytes)
        #expect(array.shape == [3, 32])
        let got = array.data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let want = try expected.toArray(Float.self)
        // Batched with another video's frames vs alone: the same up to summation order.
        #expect(zip(got, want).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })

        let npz = try NPZFile(path: output.appendingPathComponent("embeddings.npz").path)
        let index = try npz.array(named: "index")
        #expect(index.shape == [8])
        #expect(index.data.withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) } == [0, 1, 2, 3, 4, 6, 7, 8])
        let pooled = try npz.array(named: "embeddings")
        #expect(pooled.shape == [8, 32])
        let firstRow = pooled.data.withUnsafeBytes { Array($0.bindMemory(to: Float.self).prefix(32)) }
        var mean = [Float](repeating: 0, count: 32)
        for j in 0..<32 {
            var sum: Float = 0
            for k in 0..<3 { sum += got[k * 32 + j] }
            mean[j] = sum / 3
        }
        #expect(firstRow == mean)
    }

    @Test(arguments: [CrashPoint.afterSample(shard: "00001", written: 2), .beforeShardRename(shard: "00001"),
                      .beforeStatsRename(shard: "00001"), .beforeStatsRename(shard: "00002")])
    func aCrashResumesToTheUninterruptedBytes(point: CrashPoint) async throws {
        struct Crash: Error {}
        let s = try setup()
        let reference = s.dir.appendingPathComponent("reference"), crashed = s.dir.appendingPathComponent("crashed")
        _ = try await run(s, into: reference, workers: 2)
        await #expect(throws: Crash.self) {
            _ = try await run(s, into: crashed, workers: 2) { reached in if reached == point { throw Crash() } }
        }
        #expect(!FileManager.default.fileExists(atPath: crashed.appendingPathComponent("embeddings.npz").path))
        let resumed = try await run(s, into: crashed, workers: 1, resume: true)
        #expect(resumed.shardsSkipped >= 1)
        let clean = try comparable(crashed).filter { !$0.key.hasPrefix(".") && !$0.key.contains("/.") }
        #expect(clean == (try comparable(reference)))
    }

    @Test func aWrongWeightsFileStopsTheRunBeforeAnyVideo() async throws {
        var s = try setup()
        let yaml = "stages:\n  - frames: {sampler: {uniform: 1}}\n  - embed: {weights: \(s.dir.path)/missing.safetensors}\n"
        s = Setup(dir: s.dir, manifest: s.manifest, spec: try PipelineSpec.parse(yaml: yaml, catalog: try StageCatalog.standard.merging(.models)), weights: "")
        await #expect(throws: PipelineError.self) { _ = try await run(s, into: s.dir.appendingPathComponent("never"), workers: 1) }
        #expect(!FileManager.default.fileExists(atPath: s.dir.appendingPathComponent("never/000000.tar").path))
    }

    @Test func theArchitectureIsReadFromTheWeights() throws {
        var generator = RandomGenerator(seed: 1)
        for (variant, widths) in [(ResNet.Variant.resnet18, [8, 16, 24, 32]), (.resnet50, [4, 8, 8, 16])] {
            let model = ResNet(ResNet.Configuration(variant, widths: widths, classes: 5), generator: &generator)
            let read = try ResNet.Configuration(torchvisionWeights: model.stateDict())
            #expect(read.widths == widths && read.classes == 5 && read.stages == 4 && read.variant == variant)
        }
        #expect(throws: (any Error).self) { try ResNet.Configuration(torchvisionWeights: ["conv1.weight": Tensor.zeros([8, 3, 7, 7])]) }
    }
}
