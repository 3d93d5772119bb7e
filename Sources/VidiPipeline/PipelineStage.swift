/// One step of a pipeline. A stage is immutable configuration (built from the spec before any work
/// starts) and runs once per video on a worker thread: it reads the video through `VideoContext`
/// (which opens the file once and hands products from stage to stage) and emits named arrays, images or
/// metadata.
///
/// Model modules plug in through thin adapters: a `ModelStage` holds one model instance per worker
/// thread and may batch videos; a `RunOutputStage` also merges every video's record into one file for
/// the whole run. Adapters register their keys in a `StageCatalog` that the CLI composes.
public protocol PipelineStage: Sendable {
    /// The stage's key in the spec (`frames`, `keyframes`, ...), used in errors and stats.
    var name: String { get }
    /// The file suffixes this stage emits per sample (`frames.npy`), used to reject two stages that
    /// would write the same file. Stages whose names depend on the video may return patterns' stems.
    var outputs: [String] { get }
    /// How the stage relates to others, for combination checks.
    var role: StageRole { get }
    /// Products this stage makes for later stages, and those it reads, which an earlier stage must make
    /// (a missing producer is a spec error, found when the spec loads).
    var produces: [ProductKey] { get }
    var consumes: [ProductKey] { get }
    /// Runs on one video. Throws to mark the video failed (the runner records the reason and goes on).
    func process(_ video: VideoContext) throws
    /// Whether the stage reads the video's frame index (frame count, timestamps, random access). When no
    /// stage of a spec does, the reader opens without scanning the packets (`ReaderOptions.indexAtOpen`
    /// false) and keyframes come from one pass, as `vidi keyframes` does.
    var needsFrameIndex: Bool { get }
}

/// What a stage does, so the spec checker can reject orders that cannot work.
public enum StageRole: Sendable, Equatable {
    /// Emits outputs (frames, vectors, metadata).
    case producer
    /// Produces decoded frames, so a preceding geometry stage (resize/crop) applies to it.
    case frameProducer
    /// Sets how later frame producers resize and crop; useless if no frame producer follows.
    case geometry
}

/// A product stages hand each other, named as the spec names it.
public enum ProductKey: Hashable, Sendable, CustomStringConvertible {
    /// The frames a frame stage decoded under its output name (`frames`, `keyframes`, `clip`...).
    case frames(String)

    public var description: String {
        switch self {
        case .frames(let name): return "frames '\(name)'"
        }
    }
}

extension PipelineStage {
    public var role: StageRole { .producer }
    public var produces: [ProductKey] { [] }
    public var consumes: [ProductKey] { [] }
    public var needsFrameIndex: Bool { true }
}

/// A stage that runs a model. Modules are not `Sendable`, so the stage (immutable, Sendable
/// configuration) builds one instance per worker thread, on that thread, the first time the worker
/// needs it; the instance lives until the run ends. Videos may be batched: a worker gathers up to
/// `batchSize` consecutive videos of a shard and calls `process(batch:with:)` once for them. Batches are
/// cut at fixed positions of each shard, so outputs do not depend on worker count or `--shard` split.
public protocol ModelStage: PipelineStage {
    associatedtype Model
    /// Videos per call of `process(batch:with:)` (1: no batching).
    var batchSize: Int { get }
    /// Once per run, before any video: check what can be checked early (weights readable, shapes).
    func prepareRun() throws
    /// Builds one model instance (loads weights); called once per worker thread.
    func makeModel() throws -> Model
    /// Per video, before batching: gather and check its inputs. Throwing fails this video only.
    func prepare(_ video: VideoContext) throws
    /// Runs the model on a batch of videos that passed `prepare`; throwing fails the whole batch.
    func process(batch: [VideoContext], with model: Model) throws
}

extension ModelStage {
    public var batchSize: Int { 1 }
    public func prepareRun() throws {}
    public func prepare(_ video: VideoContext) throws {}
    /// A model stage alone, on one video with a fresh model (tests, single-video commands).
    public func process(_ video: VideoContext) throws {
        try prepare(video)
        try process(batch: [video], with: try makeModel())
    }
}

/// A stage that also produces one file for the whole run (a feature matrix, a prediction JSON, an
/// index). Each video hands its part to `VideoContext.record(_:for:)`; every shard writes its videos'
/// records next to its stats, and when every shard is done the run (or `vidi run --merge`) calls
/// `merge` with the records of every successful video in manifest order and writes the result
/// durably as `runOutput` in the output directory.
public protocol RunOutputStage: PipelineStage {
    /// File name of the run-level output (`embeddings.npz`, `predictions.json`); nil when this
    /// stage's configuration asks for none.
    var runOutput: String? { get }
    /// The run-level file's bytes from every successful video's record, in manifest order.
    func merge(_ records: [RunRecord]) throws -> [UInt8]
}

/// One video's contribution to a run-level output.
public struct RunRecord: Sendable, Equatable {
    /// The sample key (the manifest position, zero-padded).
    public var key: String
    public var bytes: [UInt8]

    public init(key: String, bytes: [UInt8]) {
        self.key = key
        self.bytes = bytes
    }

    /// The manifest position the key encodes.
    public var index: Int { Int(key) ?? -1 }
}
