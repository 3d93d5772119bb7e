import Foundation
import VidiFormats
import VidiLocalization
import VidiMedia
import VidiPipeline
import VidiTensor

/// `localize`: temporal action localization of each video under `vidi run`: snippet features by a
/// torchvision backbone decoded from the video in this run (as `vidi features` makes them), then a
/// localizer checkpoint from `vidi train localize` (RCL or BMN):
/// `{backbone: r2plus1d_18.safetensors, model: rcl.safetensors, stride: 8, window: 16, batch: 4,
///   predictions: predictions.json}` (optional: `size`, `resize`, `snippet_batch`, `keep`, `sliding_window`,
/// `name`). `model: bundled` names the small RCL model shipped with vidi (trained on synthetic features: it
/// demonstrates the path, it finds no real actions). Per video it writes `<name>.npy` (T x C features), `<name>.json` (the feature sidecar plus the
/// predictions). With `predictions`, the run also writes one ActivityNet-style prediction JSON for every
/// video that succeeded, in manifest order; the id is the manifest's `id` column, else the file name
/// without extension (two videos with one id are an error at the merge: add an `id` column).
struct LocalizeStage: ModelStage, RunOutputStage {
    let name = "localize"
    var backbone: String
    var model: String
    var stride: Int
    var window: Int
    var size: Int?
    var resize: Int?
    var snippetBatch: Int
    var batchSize: Int
    var keep: Int
    var slidingWindow: Int?
    var output: String
    var runOutput: String?

    var outputs: [String] { ["\(output).npy", "\(output).json"] }

    /// One worker's networks: the feature extractor and the localizer.
    final class Models {
        let extractor: SnippetFeatureExtractor
        let localizer: Localizer
        init(extractor: SnippetFeatureExtractor, localizer: Localizer) { self.extractor = extractor; self.localizer = localizer }
    }

    static func make(_ parameters: StageParameters) throws -> any PipelineStage {
        guard let map = try parameters.mapping() else {
            throw parameters.keyNode.error("needs backbone and model, e.g. {backbone: r2plus1d_18.safetensors, model: rcl.safetensors}")
        }
        let backbone = try map.required("backbone").string()
        let modelNode = try map.required("model")
        var model = try modelNode.string()
        if model == "bundled" {
            guard let bundled = BundledLocalization.modelPath else {
                throw modelNode.error("the bundled model is missing from vidi's resource bundle")
            }
            model = bundled
        }
        let stride = try map.optional("stride")?.positiveInt() ?? 8
        let window = try map.optional("window")?.positiveInt() ?? 16
        let size = try map.optional("size")?.positiveInt()
        let resize = try map.optional("resize")?.positiveInt()
        let snippetBatch = try map.optional("snippet_batch")?.positiveInt() ?? 16
        let batch = try map.optional("batch")?.positiveInt() ?? 4
        let keep = try map.optional("keep")?.positiveInt() ?? 100
        var slidingWindow: Int?
        if let node = map.optional("sliding_window") {
            slidingWindow = try node.positiveInt()
            guard (slidingWindow ?? 0) >= 8 else { throw node.error("sliding_window is at least 8 snippets") }
        }
        let output = try map.optional("name")?.string() ?? "localization"
        var predictions: String?
        if let node = map.optional("predictions") {
            predictions = try node.string()
            guard predictions?.hasSuffix(".json") == true, !(predictions ?? "").contains("/") else {
                throw node.error("predictions names a file in the output directory ending in .json, e.g. predictions.json")
            }
        }
        if let size, let resize, size > resize {
            throw parameters.keyNode.error("size \(size) does not fit in frames resized to \(resize)")
        }
        try map.finish()
        return LocalizeStage(backbone: backbone, model: model, stride: stride, window: window, size: size, resize: resize,
                             snippetBatch: snippetBatch, batchSize: batch, keep: keep, slidingWindow: slidingWindow,
                             output: output, runOutput: predictions)
    }

    /// Loads both networks once before any video, so a wrong path, a wrong file or a backbone whose
    /// width the localizer does not take stops the run with one clear error instead of failing every video.
    func prepareRun() throws {
        _ = try makeModel()
    }

    func makeModel() throws -> Models {
        let extractor: SnippetFeatureExtractor
        do {
            extractor = try SnippetFeatureExtractor(weights: backbone, stride: stride, window: window, resize: resize, crop: size, batch: snippetBatch)
        } catch {
            throw PipelineError.stage(stage: name, message: "backbone \(backbone): \(error)")
        }
        let localizer: Localizer
        do { localizer = try Localizer(checkpoint: model) } catch {
            throw PipelineError.stage(stage: name, message: "model \(model): \(error)")
        }
        localizer.keep = keep
        let channels = localizer.model.configuration.inputChannels
        guard extractor.backbone.dimension == channels else {
            throw PipelineError.stage(stage: name, message: "backbone \(backbone) gives \(extractor.backbone.dimension)-d features but model \(model) expects \(channels)")
        }
        return Models(extractor: extractor, localizer: localizer)
    }

    func prepare(_ video: VideoContext) throws {
        _ = try video.reader()
    }

    func process(batch videos: [VideoContext], with models: Models) throws {
        // Features per video (different lengths), then one localizer pass over the whole batch.
        var extracted: [SnippetFeatures] = []
        for video in videos {
            let reader = try video.reader()
            extracted.append(try models.extractor.extract(reader) { _, _ in try video.checkDeadline() })
            video.framesDecoded += reader.info.frameCount
        }
        let grids = try extracted.map { try $0.sidecar.grid() }
        let predictions: [[ScoredSegment]]
        if let slidingWindow {
            predictions = try extracted.indices.map {
                try models.localizer.localize(features: extracted[$0].features, window: slidingWindow, grid: grids[$0], duration: extracted[$0].sidecar.duration)
            }
        } else {
            predictions = try models.localizer.localize(batch: extracted.map(\.features), grids: grids, durations: extracted.map { $0.sidecar.duration })
        }
        for (v, video) in videos.enumerated() {
            let id = Self.id(of: video)
            let sidecar = extracted[v].sidecar
            let features = try extracted[v].features.toArray(Float.self)
            try video.emit("\(output).npy", NPYFormat.encode(.init(descr: "<f4", shape: [sidecar.snippets, sidecar.dimension],
                                                                    data: features.withUnsafeBytes { Array($0) })))
            let segments: [JSONValue] = predictions[v].map {
                .object(["label": .string($0.label), "score": .double($0.score), "segment": .array([.double($0.start), .double($0.end)])])
            }
            try video.emit("\(output).json", JSONValue.object(["id": .string(id), "features": sidecar.json, "predictions": .array(segments)]).encoded())
            video.metadata[name] = .object(["id": .string(id), "snippets": .int(sidecar.snippets), "segments": .int(segments.count)])
            if runOutput != nil {
                video.record(PredictionFile(videos: [(id, predictions[v])]).encoded(), for: name)
            }
        }
    }

    /// The manifest's `id` column, else the file name without extension.
    static func id(of video: VideoContext) -> String {
        if case .string(let id)? = video.entry.columns["id"], !id.isEmpty { return id }
        return URL(fileURLWithPath: video.entry.path).deletingPathExtension().lastPathComponent
    }

    /// Every successful video's predictions (manifest order) as one ActivityNet-style file.
    func merge(_ records: [RunRecord]) throws -> [UInt8] {
        var videos: [(id: String, predictions: [ScoredSegment])] = []
        var seen: Set<String> = []
        for record in records {
            let part: PredictionFile
            do { part = try PredictionFile.decode(OrderedJSON.parse(record.bytes), path: "record \(record.key)") } catch {
                throw PipelineError.stage(stage: name, message: "\(error)")
            }
            for video in part.videos {
                guard seen.insert(video.id).inserted else {
                    throw PipelineError.stage(stage: name, message: "two videos have the id '\(video.id)': give the manifest an id column")
                }
                videos.append(video)
            }
        }
        return PredictionFile(videos: videos).encoded()
    }
}
