import ArgumentParser
import Foundation
import VidiFormats
import VidiPipeline
import VidiRetrieval
import VidiTensor

/// `vidi index build|add|import|info|export`.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build and maintain a text-video retrieval index (.vidx) over a video collection.",
        discussion: """
            An index stores, per video, its sampled frames' CLIP features (L2-normalised, float32 or float16) \
            and the precomputed WTI video weights, memory-mapped and checksummed; every write goes to a \
            temporary file that is fsynced and renamed, so a crash leaves the previous index. Query it with \
            `vidi search`.
            """,
        subcommands: [IndexBuildCommand.self, IndexAddCommand.self, IndexImportCommand.self, IndexInfoCommand.self,
                      IndexExportCommand.self])
}

struct IndexSourceOptions: ParsableArguments {
    @Option(help: "Videos: a directory, or a manifest (text file of paths, CSV/JSONL with a path column).")
    var input: String
    @Option(help: "Frames per video at most (sampled at --fps, then spread evenly).")
    var frames = 12
    @Option(help: "Frames per second sampled.")
    var fps = 1.0
}

enum Indexing {
    /// Encodes every video of a manifest; failures are reported and skipped. Returns the videos and the
    /// number that failed.
    static func encode(_ source: IndexSourceOptions, model: RetrievalModel, interaction: Interaction) throws -> ([IndexedVideo], Int) {
        let manifest = try Manifest.load(path: source.input)
        var videos: [IndexedVideo] = [], failed = 0
        let start = Date()
        for (k, entry) in manifest.entries.enumerated() {
            do {
                videos.append(try model.indexedVideo(path: entry.resolvedPath, id: entry.path, frames: source.frames, fps: source.fps,
                                                     interaction: interaction))
            } catch {
                failed += 1
                FileHandle.standardError.write(Data("vidi index: \(entry.path): \(error)\n".utf8))
            }
            if (k + 1) % 50 == 0 || k + 1 == manifest.entries.count {
                let rate = Double(k + 1) / max(Date().timeIntervalSince(start), 1e-9)
                FileHandle.standardError.write(Data(String(format: "vidi index: %d/%d videos (%.2f videos/s)\n", k + 1, manifest.entries.count, rate).utf8))
            }
        }
        return (videos, failed)
    }

    static func storage(_ name: String) throws -> IndexFormat.Storage {
        guard let s = IndexFormat.Storage.allCases.first(where: { $0.name == name }) else {
            throw ValidationError("--storage must be float32 or float16")
        }
        return s
    }
}

struct IndexBuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "build", abstract: "Sample, encode and index a collection of videos.")
    @OptionGroup var source: IndexSourceOptions
    @Option(help: "Model: a DRL checkpoint (clip.* + weight branches) or an OpenAI CLIP checkpoint (.safetensors); default: the bundled small model.")
    var weights: String?
    @Option(help: "Output index (.vidx).")
    var out: String
    @Option(help: "float32 or float16 frame features.")
    var storage = "float32"
    @Option(help: "wti or ti (default: wti when the checkpoint has weight branches).")
    var interaction: String?

    func run() throws {
        try RetrievalCommand.run("index build") {
            let model = try RetrievalModel(path: weights)
            let kind = try interaction.map { try Interaction(rawValue: $0) ?? { throw ValidationError("--interaction must be wti or ti") }() }
                ?? model.defaultInteraction
            let (videos, failed) = try Indexing.encode(source, model: model, interaction: kind)
            try IndexWriter.write(videos, to: out, slots: source.frames, storage: Indexing.storage(storage), interaction: kind, model: weights)   // nil: the bundled model
            MediaCommand.printLine("\(out): \(videos.count) videos indexed, \(failed) failed")
            if failed > 0 { throw ExitCode(1) }
        }
    }
}

struct IndexAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add videos to an index: appended as a new segment, then committed (a crash leaves the previous index).")
    @OptionGroup var source: IndexSourceOptions
    @Option(help: "The index to extend.")
    var index: String
    @Option(help: "Model (default: the one the index was built with).")
    var weights: String?

    func run() throws {
        try RetrievalCommand.run("index add") {
            let existing = try RetrievalIndex(path: index, verify: false)
            let path = weights ?? existing.metadata.model
            let model = try RetrievalModel(path: path)
            let (videos, failed) = try Indexing.encode(source, model: model, interaction: existing.interaction)
            try IndexWriter.append(videos, to: index, model: path)
            MediaCommand.printLine("\(index): \(videos.count) videos added (\(existing.count + videos.count) in all), \(failed) failed")
            if failed > 0 { throw ExitCode(1) }
        }
    }
}

struct IndexImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Index frame features computed elsewhere: one F x D .npy per video (CLIP's projected image features).")
    @Argument(help: ".npy files, or directories of them; the id is the file name without .npy.")
    var features: [String]
    @Option(help: "DRL checkpoint for the temporal aggregator and WTI video weights; without it, TI.")
    var weights: String?
    @Option(help: "Output index (.vidx).")
    var out: String
    @Option(help: "Frame slots per video (default: the longest video).")
    var frames: Int?
    @Option(help: "float32 or float16 frame features.")
    var storage = "float32"

    func run() throws {
        try RetrievalCommand.run("index import") {
            let model = try weights.map { try DRLModel.load(path: $0) }
            let kind: Interaction = (model?.configuration.weightBranchLayers ?? 0) > 0 ? .wti : .ti
            var files: [String] = []
            for item in features {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: item, isDirectory: &isDirectory), isDirectory.boolValue {
                    let names = try FileManager.default.contentsOfDirectory(atPath: item).filter { $0.hasSuffix(".npy") }.sorted()
                    files += names.map { (item as NSString).appendingPathComponent($0) }
                } else { files.append(item) }
            }
            let videos = try files.map { file -> IndexedVideo in
                let id = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
                return try IndexedVideo.make(id: id, frames: Tensor.readNPY(path: file).to(.float32), model: model, interaction: kind)
            }
            try IndexWriter.write(videos, to: out, slots: frames, storage: Indexing.storage(storage), interaction: kind, model: weights)
            MediaCommand.printLine("\(out): \(videos.count) videos imported")
        }
    }
}

struct IndexInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Print an index's header and check its checksum.")
    @Argument(help: "Index file.")
    var index: String
    @Flag(help: "One JSON object.")
    var json = false

    func run() throws {
        try RetrievalCommand.run("index info") {
            let i = try RetrievalIndex(path: index, verify: true)
            if json {
                try JSONOutput.print(JSONValue.object([
                    "path": .string(index), "videos": .int(i.count), "frame_slots": .int(i.slots), "dimension": .int(i.dimension),
                    "storage": .string(i.storage.name), "interaction": .string(i.metadata.interaction),
                    "model": .string(i.metadata.model ?? ""), "version": .int(i.formatVersion),
                    "segments": .int(i.segmentCount), "checksum": .string("ok")]))
            } else {
                MediaCommand.printLine("\(index): \(i.count) videos x \(i.slots) frames x \(i.dimension) (\(i.storage.name)), \(i.metadata.interaction), \(i.segmentCount) segment(s), format \(i.formatVersion), checksum ok")
            }
        }
    }
}

struct IndexExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export pooled vectors (and frame features) for an external vector engine (FAISS, LanceDB, Milvus, ...).",
        discussion: """
            --format npy (default): DIR/pooled.npy (N x D float32, one normalised vector per video: inner \
            product = the two-stage candidate score) and DIR/ids.txt (one id per line, row order).
            --format parquet: DIR/pooled.parquet, a table with columns id (string) and vector (D float32 per \
            row; Parquet LIST of FLOAT, which Arrow reads as list<float> and casts to fixed_size_list), \
            uncompressed, ready for LanceDB, DuckDB, pandas or Milvus bulk import.
            With --frames also DIR/frames.npy (N x V x D) and DIR/weights.npy (N x V). docs/retrieval.md gives \
            the recipe where FAISS or LanceDB serves candidates and `vidi search --candidates-from` reranks \
            them exactly.
            """)
    @Argument(help: "Index file.")
    var index: String
    @Option(help: "Output directory.")
    var out: String
    @Option(help: "npy (pooled.npy + ids.txt) or parquet (pooled.parquet: id, vector).")
    var format = "npy"
    @Flag(help: "Also write the frame features and weights (.npy).")
    var frames = false

    func validate() throws {
        guard ["npy", "parquet"].contains(format) else { throw ValidationError("--format must be npy or parquet") }
    }

    func run() throws {
        try RetrievalCommand.run("index export") {
            let i = try RetrievalIndex(path: index)
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            if format == "parquet" {
                try ParquetWriter.write(rows: i.count, columns: [.strings(name: "id", values: i.metadata.ids),
                                                                 .floatVectors(name: "vector", values: i.pooledVectors(), dimension: i.dimension)],
                                        metadata: [("vidi.index", index), ("vidi.interaction", i.metadata.interaction),
                                                   ("vidi.model", i.metadata.model ?? "bundled")],
                                        to: (out as NSString).appendingPathComponent("pooled.parquet"))
            } else {
                try Tensor(i.pooledVectors(), shape: [i.count, i.dimension]).writeNPY(to: (out as NSString).appendingPathComponent("pooled.npy"))
                try DurableFile.write(Array((i.metadata.ids.joined(separator: "\n") + "\n").utf8), to: (out as NSString).appendingPathComponent("ids.txt"))
            }
            if frames {
                var f: [Float] = [], w: [Float] = []
                for v in 0..<i.count {
                    let video = try i.video(v)
                    f += video.features + [Float](repeating: 0, count: (i.slots - video.frameCount) * i.dimension)
                    w += video.weights + [Float](repeating: 0, count: i.slots - video.frameCount)
                }
                try Tensor(f, shape: [i.count, i.slots, i.dimension]).writeNPY(to: (out as NSString).appendingPathComponent("frames.npy"))
                try Tensor(w, shape: [i.count, i.slots]).writeNPY(to: (out as NSString).appendingPathComponent("weights.npy"))
            }
            MediaCommand.printLine("\(out): \(i.count) videos exported")
        }
    }
}
