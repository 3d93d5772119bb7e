import Foundation
import VidiFormats
import VidiPipeline
import VidiRetrieval
import VidiTensor

/// `retrieval_index`: encodes each video's frames (decoded by an earlier frame stage) with a CLIP/DRL
/// checkpoint and writes one `.vidx` index over the whole run, the file `vidi index build` writes:
/// `{weights: drl.safetensors, frames: frames, max_frames: 12, batch: 4, index: videos.vidx}`.
/// Without `weights`, the model bundled with vidi. `interaction` (`wti` or `ti`) defaults to WTI when the
/// checkpoint has weight branches. Past `max_frames`, frames are cut as DRL does (`linspace`). Per video it
/// writes `<name>.json` (frames, dimension); the index holds the videos that succeeded, in manifest order,
/// with their manifest paths as ids. Frames go to CLIP's preprocessing at their decoded size (no `resize` needed).
struct RetrievalIndexStage: ModelStage, RunOutputStage {
    let name = "retrieval_index"
    var weights: String?
    var frames: String
    var maxFrames: Int
    var batchSize: Int
    var interaction: Interaction?
    var output: String
    var runOutput: String?

    var outputs: [String] { ["\(output).json"] }
    var consumes: [ProductKey] { [.frames(frames)] }

    static func make(_ parameters: StageParameters) throws -> any PipelineStage {
        let map = try parameters.mapping()
        let weights = try map?.optional("weights")?.string()
        let frames = try map?.optional("frames")?.string() ?? "frames"
        let maxFrames = try map?.optional("max_frames")?.positiveInt() ?? 12
        let batch = try map?.optional("batch")?.positiveInt() ?? 4
        let output = try map?.optional("name")?.string() ?? "retrieval"
        var interaction: Interaction?
        if let node = map?.optional("interaction") {
            guard let value = Interaction(rawValue: try node.string()) else { throw node.error("interaction is wti or ti") }
            interaction = value
        }
        var index = "index.vidx"
        if let node = map?.optional("index") {
            index = try node.string()
            guard index.hasSuffix(".vidx"), !index.contains("/") else {
                throw node.error("index names a file in the output directory ending in .vidx, e.g. videos.vidx")
            }
        }
        try map?.finish()
        return RetrievalIndexStage(weights: weights, frames: frames, maxFrames: maxFrames, batchSize: batch,
                                   interaction: interaction, output: output, runOutput: index)
    }

    /// Reads the weights once before any video, so a wrong path stops the run with one clear error.
    func prepareRun() throws {
        _ = try makeModel()
    }

    func makeModel() throws -> RetrievalModel {
        do {
            let model = try RetrievalModel(path: weights)
            _ = try model.resolution
            return model
        } catch {
            throw PipelineError.stage(stage: name, message: "weights \(weights ?? "(bundled)"): \(error)")
        }
    }

    func prepare(_ video: VideoContext) throws {
        guard !(try video.frames(named: frames, for: name)).frames.isEmpty else {
            throw PipelineError.stage(stage: name, message: "no frames to encode")
        }
    }

    func process(batch videos: [VideoContext], with model: RetrievalModel) throws {
        // Every video's kept frames preprocessed, then one encoder pass over the whole batch.
        let resolution = try model.resolution
        var images: [Tensor] = []
        var counts: [Int] = []
        for video in videos {
            let pass = try video.frames(named: frames, for: name)
            let kept = try MediaInput.limited(count: pass.frames.count, maxFrames: maxFrames)
            for k in kept {
                let image = try RGBImage(frame: pass.frames[k])
                images.append(try CLIPPreprocess.tensor(rgb: image.pixels, width: image.width, height: image.height, resolution: resolution))
            }
            counts.append(kept.count)
        }
        let encoded = try model.encoder.encodeImages(Tensor.stack(images, axis: 0))
        let chosen = interaction ?? model.defaultInteraction
        var start = 0
        for (v, video) in videos.enumerated() {
            let features = try encoded.narrowed(axis: 0, start: start, length: counts[v]).contiguous()
            start += counts[v]
            let indexed = try IndexedVideo.make(id: video.entry.path, frames: features, model: model.drl, interaction: chosen)
            let summary: JSONValue = .object(["frames": .int(indexed.frameCount), "dimension": .int(indexed.dimension)])
            try video.emit("\(output).json", summary.encoded())
            video.metadata[name] = summary
            video.record(RetrievalIndexRecord.encode(indexed, interaction: chosen), for: name)
        }
    }

    /// The records (manifest order) as one `.vidx`, through the same writer as `vidi index build`.
    func merge(_ records: [RunRecord]) throws -> [UInt8] {
        let decoded = try records.map { try RetrievalIndexRecord.decode($0.bytes) }
        guard let first = decoded.first else {
            throw PipelineError.stage(stage: name, message: "no video succeeded, so there is no index to write")
        }
        guard Set(decoded.map(\.video.dimension)).count == 1, Set(decoded.map(\.interaction)).count == 1 else {
            throw PipelineError.stage(stage: name, message: "videos were encoded with different models or interactions")
        }
        let slots = max(maxFrames, decoded.map(\.video.frameCount).max() ?? 1)
        do {
            return try IndexWriter.encode(ids: decoded.map(\.video.id), dimension: first.video.dimension, slots: slots,
                                          interaction: first.interaction, model: weights) { decoded[$0].video }
        } catch {
            throw PipelineError.stage(stage: name, message: "index: \(error)")
        }
    }
}
