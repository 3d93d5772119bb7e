import Foundation
import VidiFormats

/// One video's state while its stages run: the manifest entry, the deadline, the metadata that goes into
/// the sample's `.json`, and the files emitted so far. Confined to the worker thread that owns the video.
public final class VideoContext {
    public let entry: ManifestEntry
    /// The sample key: the entry's manifest position, zero-padded, so keys never depend on sharding.
    public let key: String
    /// Past this instant stages must stop (`checkDeadline()`); readers get it as their own deadline.
    public let deadline: ContinuousClock.Instant?
    let limitSeconds: Double?
    /// Stop flag of the run (SIGINT); long stages poll it through `checkDeadline()`.
    let cancellation: CancellationFlag?
    /// Merged into the sample's `.json` (after the manifest's columns); stages add their own fields.
    public var metadata: [String: JSONValue]
    /// Files emitted so far, in emission order (the tar keeps that order).
    public private(set) var files: [SampleFile] = []
    /// Frames decoded by stages, for statistics (frames/s).
    public var framesDecoded: Int = 0
    /// What earlier stages made for later ones (the open reader, the resize geometry, the motion pass,
    /// decoded frames), one value per type.
    private var products: [ObjectIdentifier: any VideoProduct] = [:]
    /// Per-video records for run-level outputs, by stage name (see `RunOutputStage`).
    public private(set) var runRecords: [String: [UInt8]] = [:]
    /// Frame passes a later stage reads (`PipelineStage.consumes`); producers keep only these.
    var framesToKeep: Set<String> = []
    /// False when no stage of the spec reads the frame index (`PipelineStage.needsFrameIndex`): the
    /// reader then opens without scanning the packets.
    var opensWithFrameIndex = true
    /// `run.damaged: keep`: stages write the frames that decode and leave the others out (the runner
    /// records what is missing) instead of failing the video at the first undecodable frame.
    public let keepsDamaged: Bool
    /// Bytes this sample may hold (`run.max_sample_mb`) and bytes stages announced so far.
    let maxSampleBytes: Int
    private var reserved = 0

    init(entry: ManifestEntry, key: String, limitSeconds: Double?, keepsDamaged: Bool = false, maxSampleBytes: Int = .max,
         cancellation: CancellationFlag?) {
        self.entry = entry
        self.keepsDamaged = keepsDamaged
        self.key = key
        self.limitSeconds = limitSeconds
        self.deadline = limitSeconds.map { ContinuousClock.now + .milliseconds(Int64($0 * 1000)) }
        self.cancellation = cancellation
        self.maxSampleBytes = maxSampleBytes
        self.metadata = entry.columns
        metadata["source"] = .string(entry.path)
        metadata["key"] = .string(key)
    }

    /// Path of the video on disk (resolved against the manifest's folder).
    public var path: String { entry.resolvedPath }

    /// Adds `name` (a suffix such as `frames.npy`) with its bytes to the sample.
    public func emit(_ name: String, _ bytes: [UInt8]) throws {
        guard SampleFile.isValidName(name) else {
            throw PipelineError.stage(stage: name, message: "invalid output name '\(name)' (use a-z, 0-9, _, - and dots)")
        }
        guard name != "json", !files.contains(where: { $0.name == name }) else {
            throw PipelineError.stage(stage: name, message: "output '\(name)' emitted twice")
        }
        files.append(SampleFile(name: name, bytes: bytes))
    }

    /// Announces that a stage is about to produce about `bytes` of output; throws, before any decoding,
    /// when the sample would outgrow `run.max_sample_mb`.
    public func reserve(_ bytes: Int, for stage: String) throws {
        let (total, overflow) = reserved.addingReportingOverflow(bytes)
        guard !overflow, total <= maxSampleBytes else {
            throw PipelineError.stage(stage: stage, message: "output would reach \(total >> 20) MB, over run.max_sample_mb (\(maxSampleBytes >> 20)); sample fewer frames or raise the limit")
        }
        reserved = total
    }

    /// The product of type `P` an earlier stage stored, if any.
    public func product<P: VideoProduct>(_ type: P.Type) -> P? {
        products[ObjectIdentifier(type)] as? P
    }

    /// Stores `value` for later stages; replaces an earlier value of the same type.
    public func store<P: VideoProduct>(_ value: P) {
        products[ObjectIdentifier(P.self)] = value
    }

    /// Hands `bytes` to the run-level output of `stage` (merged over all videos when the run ends).
    public func record(_ bytes: [UInt8], for stage: String) {
        runRecords[stage] = bytes
    }

    /// Throws when the per-video time limit passed or the run was interrupted.
    public func checkDeadline() throws {
        if cancellation?.isSet == true { throw PipelineError.cancelled }
        if let deadline, ContinuousClock.now >= deadline { throw PipelineError.timedOut(seconds: limitSeconds ?? 0) }
    }

    /// The finished sample: metadata `.json` first, then the files in emission order.
    func sample() throws -> Sample {
        Sample(key: key, files: [SampleFile(name: "json", bytes: try JSONValue.object(metadata).encoded())] + files)
    }
}

/// A value one stage makes for the later stages of the same video, found by its type. Types that
/// stages read must have a producer earlier in the spec (`PipelineStage.consumes`), checked when the
/// spec loads.
public protocol VideoProduct {}
