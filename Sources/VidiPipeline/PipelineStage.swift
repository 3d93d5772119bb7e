/// One step of a pipeline. A stage is immutable configuration (built from the spec before any work
/// starts) and runs once per video on a worker thread: it reads the video through `VideoContext`
/// (which opens the file once and shares it between stages) and emits named arrays, images or metadata.
///
/// This is the seam the model modules plug into (segmentation, localization, pretext samples, retrieval
/// features): register a factory for a new stage key in a `StageCatalog` and specs can name it.
public protocol PipelineStage: Sendable {
    /// The stage's key in the spec (`frames`, `keyframes`, ...), used in errors and stats.
    var name: String { get }
    /// The file suffixes this stage emits per sample (`frames.npy`), used to reject two stages that
    /// would write the same file. Stages whose names depend on the video may return patterns' stems.
    var outputs: [String] { get }
    /// How the stage relates to others, for combination checks.
    var role: StageRole { get }
    /// Runs on one video. Throws to mark the video failed (the runner records the reason and goes on).
    func process(_ video: VideoContext) throws
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

extension PipelineStage {
    public var role: StageRole { .producer }
}
