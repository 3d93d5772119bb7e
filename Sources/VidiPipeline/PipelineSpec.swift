import Foundation
import Yams

/// A parsed, validated pipeline: where videos come from, the stages run on each, where samples go.
/// Everything is checked when the spec is loaded, before any video is touched.
public struct PipelineSpec: Sendable {
    public var name: String
    public var input: InputSpec
    public var stages: [any PipelineStage]
    public var output: OutputSpec
    public var run: RunSpec

    public struct InputSpec: Sendable, Equatable {
        /// Manifest file or directory; `--input` overrides it.
        public var manifest: String?
        public var pathColumn: String = "path"
        public var extensions: [String] = Manifest.defaultExtensions
    }

    public enum OutputFormat: String, Sendable, Equatable {
        case webdataset, directory
    }

    public struct OutputSpec: Sendable, Equatable {
        /// Output directory; `--output` overrides it.
        public var path: String?
        public var format: OutputFormat = .webdataset
        public var samplesPerShard: Int = 1000
    }

    public struct RunSpec: Sendable, Equatable {
        /// Videos processed at once; nil means one per core. `--workers` overrides it.
        public var workers: Int?
        /// Per-video time limit in seconds.
        public var videoTimeout: Double? = 600
        /// A video the decoder reports damaged (truncated, corrupt packets, frames that do not decode)
        /// fails by default; with `keep` every stage writes the frames that decode (a clip missing a frame
        /// is left out whole), the sample's `.json` gets `damaged: {warnings, missing_frames}` and the
        /// shard's stats count it under `damaged`.
        public var keepDamaged: Bool = false
        /// Samples are assembled in memory before they are written: a video whose outputs would exceed
        /// this many bytes fails up front (stages check before decoding) instead of exhausting memory.
        public var maxSampleBytes: Int = 2 << 30
    }
}

extension PipelineSpec {
    /// Reads and validates a spec file.
    public static func load(path: String, catalog: StageCatalog = .standard) throws -> PipelineSpec {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PipelineError.missingFile(path: path, what: "spec file")
        }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError.missingFile(path: path, what: isDirectory.boolValue ? "spec file (it is a directory)" : "spec file (cannot be read)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PipelineError.yaml(file: path, message: "not UTF-8 text")
        }
        return try parse(yaml: text, file: path, catalog: catalog)
    }

    /// Parses `yaml`; `file` only names the source in errors.
    public static func parse(yaml: String, file: String = "<spec>", catalog: StageCatalog = .standard) throws -> PipelineSpec {
        let root: Node?
        do { root = try Yams.compose(yaml: yaml) } catch {
            throw PipelineError.yaml(file: file, message: "\(error)")
        }
        guard let root else { throw PipelineError.spec(file: file, line: 1, column: 1, key: "", message: "empty spec") }
        let top = try SpecNode(root, path: "", file: file).mapping()

        let name = try top.optional("name")?.string() ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        let input = try parseInput(top.optional("input"))
        let stagesNode = try top.required("stages")
        let stages = try parseStages(stagesNode, catalog: catalog)
        let output = try parseOutput(top.optional("output"))
        let run = try parseRun(top.optional("run"))
        try top.finish()
        return PipelineSpec(name: name, input: input, stages: stages, output: output, run: run)
    }

    static func parseInput(_ node: SpecNode?) throws -> InputSpec {
        var input = InputSpec()
        guard let node else { return input }
        let map = try node.mapping()
        input.manifest = try map.optional("manifest")?.string()
        if let column = map.optional("path_column") { input.pathColumn = try column.string() }
        if let extensions = map.optional("extensions") {
            let list = try extensions.list()
            guard !list.isEmpty else { throw extensions.error("needs at least one extension") }
            input.extensions = try list.map { try $0.string().lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ".")) }
        }
        try map.finish()
        return input
    }

    static func parseStages(_ node: SpecNode, catalog: StageCatalog) throws -> [any PipelineStage] {
        let items = try node.list()
        guard !items.isEmpty else { throw node.error("a pipeline needs at least one stage") }
        var stages: [(stage: any PipelineStage, node: SpecNode)] = []
        var emitted: [String: String] = [:]
        for item in items {
            // `- probe` (no parameters) or `- frames: {...}`.
            let key: String, keyNode: SpecNode, parameters: SpecNode?
            if item.isMapping {
                let entry = try item.mapping().single()
                (key, keyNode, parameters) = (entry.key, entry.keyNode, entry.value)
            } else {
                key = try item.string()
                (keyNode, parameters) = (item, nil)
            }
            guard let factory = catalog.factories[key] else {
                var message = "unknown stage '\(key)'"
                if let hint = closest(to: key, in: catalog.names) { message += " (did you mean '\(hint)'?)" }
                throw keyNode.error(message + "; stages: \(catalog.names.joined(separator: ", "))")
            }
            let stage = try factory(StageParameters(node: parameters, keyNode: keyNode))
            for output in stage.outputs {
                if let previous = emitted[output] {
                    throw keyNode.error("writes '\(output)', which stage '\(previous)' already writes; give one of them another 'name'")
                }
                emitted[output] = key
            }
            stages.append((stage, keyNode))
        }
        // What a stage reads must be made by a stage before it; run-level files must not collide.
        var made: Set<ProductKey> = []
        var runOutputs: [String: String] = [:]
        for entry in stages {
            for needed in entry.stage.consumes where !made.contains(needed) {
                throw entry.node.error("reads \(needed), which no stage before it produces; add that stage earlier")
            }
            made.formUnion(entry.stage.produces)
            if let file = (entry.stage as? any RunOutputStage)?.runOutput {
                if let previous = runOutputs[file] {
                    throw entry.node.error("writes the run-level file '\(file)', which stage '\(previous)' already writes")
                }
                runOutputs[file] = entry.stage.name
            }
        }
        // A resize/crop only changes stages that decode frames after it.
        for (offset, entry) in stages.enumerated() where entry.stage.role == .geometry {
            let later = stages[(offset + 1)...]
            guard later.contains(where: { $0.stage.role == .frameProducer }) else {
                throw entry.node.error("'\(entry.stage.name)' has no effect: no frame-decoding stage follows it")
            }
        }
        return stages.map(\.stage)
    }

    static func parseOutput(_ node: SpecNode?) throws -> OutputSpec {
        var output = OutputSpec()
        guard let node else { return output }
        let map = try node.mapping()
        output.path = try map.optional("path")?.string()
        if let format = map.optional("format") {
            output.format = OutputFormat(rawValue: try format.choice(["webdataset", "directory"])) ?? .webdataset
        }
        if let perShard = map.optional("samples_per_shard") { output.samplesPerShard = try perShard.positiveInt() }
        try map.finish()
        return output
    }

    static func parseRun(_ node: SpecNode?) throws -> RunSpec {
        var run = RunSpec()
        guard let node else { return run }
        let map = try node.mapping()
        if let workers = map.optional("workers") { run.workers = try workers.positiveInt() }
        if let timeout = map.optional("video_timeout") {
            // `video_timeout: none` turns the limit off.
            if timeout.isScalar("none") { run.videoTimeout = nil } else { run.videoTimeout = try timeout.positiveDouble() }
        }
        if let limit = map.optional("max_sample_mb") { run.maxSampleBytes = try limit.positiveInt() << 20 }
        if let damaged = map.optional("damaged") { run.keepDamaged = try damaged.choice(["fail", "keep"]) == "keep" }
        try map.finish()
        return run
    }
}

/// The parameters of one stage in a spec: the mapping after the stage key (possibly absent).
public struct StageParameters {
    let node: SpecNode?
    /// The stage key's node, for errors about the stage as a whole.
    public let keyNode: SpecNode

    /// The parameter mapping; an empty one when the stage was written without parameters.
    public func mapping() throws -> SpecMapping? {
        guard let node, !node.isEmpty || node.isMapping else { return nil }
        return try node.mapping()
    }

    /// Runs `body` with the parameter mapping (nil when none were given) and rejects unknown keys after.
    public func read<T>(_ body: (SpecMapping?) throws -> T) throws -> T {
        let map = try mapping()
        let value = try body(map)
        try map?.finish()
        return value
    }
}

/// The stages a spec may name, by key. `standard` has the built-in ones; model adapters bring their own
/// catalogs, and the CLI composes them with `merging(_:)`. Two catalogs that define the same key are a
/// programming error reported as such, never a silent overwrite.
public struct StageCatalog: Sendable {
    public typealias Factory = @Sendable (StageParameters) throws -> any PipelineStage
    public private(set) var factories: [String: Factory]

    public init(_ factories: [String: Factory] = [:]) { self.factories = factories }

    public var names: [String] { factories.keys.sorted() }

    /// This catalog plus `key`; throws if the key is taken.
    public func adding(_ key: String, _ factory: @escaping Factory) throws -> StageCatalog {
        guard factories[key] == nil else { throw StageCatalogError.duplicateKey(key) }
        var copy = self
        copy.factories[key] = factory
        return copy
    }

    /// Both catalogs' stages; throws naming every key both define.
    public func merging(_ other: StageCatalog) throws -> StageCatalog {
        let shared = Set(factories.keys).intersection(other.factories.keys)
        guard shared.isEmpty else { throw StageCatalogError.duplicateKey(shared.sorted().joined(separator: ", ")) }
        return StageCatalog(factories.merging(other.factories) { first, _ in first })
    }
}

/// A catalog composition that would define a stage key twice.
public enum StageCatalogError: Error, CustomStringConvertible, Equatable {
    case duplicateKey(String)

    public var description: String {
        switch self {
        case .duplicateKey(let keys): return "stage key defined twice: \(keys)"
        }
    }
}
