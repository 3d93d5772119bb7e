import Foundation
import VidiFormats
import VidiNN
import VidiPipeline
import VidiTensor

/// `embed`: per-frame image embeddings by a torchvision ResNet (safetensors, torchvision key names,
/// architecture read from the shapes) of the frames an earlier frame stage decoded:
/// `{weights: r18.safetensors, frames: frames, batch: 4, name: embedding, collect: embeddings.npz}`.
/// Writes `<name>.npy` (N x D float32) per video. With `collect`, the run also writes one `.npz` with
/// `embeddings` (V x D, each video's frames averaged) and `index` (V, the manifest positions), for the
/// videos that succeeded, in manifest order. Frames are normalised with ImageNet's mean and std; use a
/// `resize` stage with a crop so every frame of a batch has one size (frames of different sizes are
/// embedded in separate calls).
struct EmbedStage: ModelStage, RunOutputStage {
    let name = "embed"
    var weights: String
    var frames: String
    var batchSize: Int
    var output: String
    var runOutput: String?

    var outputs: [String] { ["\(output).npy"] }
    var consumes: [ProductKey] { [.frames(frames)] }

    static func make(_ parameters: StageParameters) throws -> any PipelineStage {
        guard let map = try parameters.mapping() else { throw parameters.keyNode.error("needs weights, e.g. {weights: resnet18.safetensors}") }
        let weights = try map.required("weights").string()
        let frames = try map.optional("frames")?.string() ?? "frames"
        let batch = try map.optional("batch")?.positiveInt() ?? 4
        let output = try map.optional("name")?.string() ?? "embedding"
        var collect: String?
        if let node = map.optional("collect") {
            collect = try node.string()
            guard collect?.hasSuffix(".npz") == true, !(collect ?? "").contains("/") else {
                throw node.error("collect names a file in the output directory ending in .npz, e.g. embeddings.npz")
            }
        }
        try map.finish()
        return EmbedStage(weights: weights, frames: frames, batchSize: batch, output: output, runOutput: collect)
    }

    /// Reads the weights once before any video, so a wrong path or a non-ResNet file stops the run
    /// with one clear error instead of failing every video.
    func prepareRun() throws {
        _ = try makeModel()
    }

    func makeModel() throws -> ResNetEmbedder {
        do {
            return try ResNetEmbedder(path: weights)
        } catch {
            throw PipelineError.stage(stage: name, message: "weights \(weights): \(error)")
        }
    }

    func prepare(_ video: VideoContext) throws {
        guard !(try video.frames(named: frames, for: name)).frames.isEmpty else {
            throw PipelineError.stage(stage: name, message: "no frames to embed")
        }
    }

    func process(batch videos: [VideoContext], with model: ResNetEmbedder) throws {
        // Every video's frames as RGB images, then one forward per image size over the whole batch.
        var images: [(video: Int, image: RGBImage)] = []
        for (v, video) in videos.enumerated() {
            let pass = try video.frames(named: frames, for: name)
            images += try pass.frames.map { (v, try RGBImage(frame: $0)) }
        }
        var rows = [[Float]](repeating: [], count: images.count)
        let sizes = Set(images.map { [$0.image.height, $0.image.width] }).sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }
        for size in sizes {
            let members = images.indices.filter { [images[$0].image.height, images[$0].image.width] == size }
            let input = try ResNetEmbedder.input(rgb: members.map { images[$0].image.pixels }, height: size[0], width: size[1])
            let embedded = try model.embed(input).toArray(Float.self)
            let d = model.dimension
            for (k, i) in members.enumerated() { rows[i] = Array(embedded[(k * d)..<((k + 1) * d)]) }
        }
        let d = model.dimension
        for (v, video) in videos.enumerated() {
            let mine = images.indices.filter { images[$0].video == v }.map { rows[$0] }
            let flat = mine.flatMap { $0 }
            try video.emit("\(output).npy", NPYFormat.encode(.init(descr: "<f4", shape: [mine.count, d], data: flat.withUnsafeBytes { Array($0) })))
            video.metadata[name] = .object(["frames": .int(mine.count), "dimension": .int(d)])
            if runOutput != nil {
                var mean = [Float](repeating: 0, count: d)
                for row in mine { for j in 0..<d { mean[j] += row[j] } }
                let bytes = mean.map { $0 / Float(mine.count) }.withUnsafeBytes { Array($0) }
                video.record(bytes, for: name)
            }
        }
    }

    /// `embeddings` (V x D float32) and `index` (V int64) as an `.npz` numpy opens.
    func merge(_ records: [RunRecord]) throws -> [UInt8] {
        let widths = Set(records.map { $0.bytes.count / 4 })
        guard widths.count <= 1 else { throw PipelineError.stage(stage: name, message: "videos have embeddings of different widths \(widths.sorted())") }
        let d = widths.first ?? 0
        let floats = records.flatMap { $0.bytes }
        let index = records.map { Int64($0.index) }
        return try NPZWriter.encode([
            ("embeddings", .init(descr: "<f4", shape: [records.count, d], data: floats)),
            ("index", .init(descr: "<i8", shape: [records.count], data: index.withUnsafeBytes { Array($0) })),
        ])
    }
}

extension StageCatalog {
    /// Stages that run VidiNN models.
    public static let models = StageCatalog(["embed": EmbedStage.make, "retrieval_index": RetrievalIndexStage.make,
                                              "localize": LocalizeStage.make, "segment": SegmentStage.make])
}
