import Foundation
import VidiTraining
@testable import VidiPipeline
import VidiTensor
import VidiTestSupport

/// Shards for the tests, written by the pipeline's own `WebDatasetWriter` (what `vidi run` writes).
enum ShardFixtures {
    /// `count` shards `<dir>/<00000..>.tar` of `perShard` samples each; sample `s<shard>_<i>` holds
    /// `input.npy` (float32 [features], values from a seeded generator), `cls` (a label from the values, so
    /// a model can learn it) and `json`.
    static func write(in directory: URL, shards count: Int, perShard: Int, features: Int = 4, classes: Int = 3,
                      seed: UInt64 = 1) throws -> [String] {
        var generator = RandomGenerator(seed: seed)
        var paths: [String] = []
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let writer = WebDatasetWriter(directory: directory.path)
        for shard in 0..<count {
            let name = String(format: "%05d", shard)
            try writer.begin(shard: name)
            for i in 0..<perShard {
                let values = (0..<features).map { _ in generator.nextNormal() }
                // The label is the index of the largest of the first `classes` features: learnable.
                let label = (0..<classes).max { values[$0] < values[$1] } ?? 0
                let tensor = try Tensor(values, shape: [features])
                let files = [
                    SampleFile(name: "input.npy", bytes: NPYFormat.encode(tensor.npyArray)),
                    SampleFile(name: "cls", bytes: Array(String(label).utf8)),
                    SampleFile(name: "json", bytes: Array("{\"shard\": \(shard), \"index\": \(i)}".utf8)),
                ]
                try writer.write(Sample(key: "s\(shard)_\(String(format: "%03d", i))", files: files))
            }
            try writer.commit(beforeRename: {})
            paths.append(writer.outputPath(shard: name))
        }
        return paths
    }

    static func golden(_ name: String) -> String { Fixtures.path("golden/training/\(name)") }

    /// Fixtures/golden/training/expected.json (written by Tools/goldens/make_training_fixtures.py).
    static func expected() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: golden("expected.json")))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// Every key a loader delivers, in order, until it ends.
    static func keys(_ loader: VidiTraining.WebDatasetLoader) throws -> [String] {
        var keys: [String] = []
        while let batch = try loader.nextBatch() { keys += batch.keys }
        return keys
    }
}
