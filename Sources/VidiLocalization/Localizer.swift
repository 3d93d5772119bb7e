import Foundation
import VidiNN
import VidiTensor

/// The inference API: T × C features of one video in, scored and labelled segments in seconds out.
///
/// Steps: resample to the model's grid (`GridVideo`), score candidates (BMN's map cells, or RCL's refined
/// continuous queries), keep the 300 best, class-agnostic Gaussian Soft-NMS (`suppression`, BMN's
/// setting by default, width normalised by the grid length), keep `keep`, then each survivor is reported
/// with its `classesPerSegment` most probable classes, score = proposal score × class probability, and
/// converted to seconds through the `FeatureGrid`, clipped to `[0, duration]` (dropped if nothing is left).
public final class Localizer {
    public let model: LocalizationModel
    public var suppression = Suppression.bmn
    public var keep = 100
    public var classesPerSegment = 2
    /// Candidates kept by score before suppression (BMN's post-processing keeps 300).
    public var candidatesBeforeSuppression = 300
    /// RCL refinement iterations at inference (`nil`: the configuration's).
    public var refinementSteps: Int?
    /// RCL: multiply the confidence by the encoder's boundary probabilities (BMN's scoring, the plug-in path).
    public var useBoundaryEvidence = true

    public init(model: LocalizationModel) {
        self.model = model
        model.eval()
    }

    /// Loads a checkpoint written by `save(to:)`.
    public convenience init(checkpoint path: String) throws {
        let file: SafetensorsFile
        do { file = try SafetensorsFile(path: path) } catch { throw LocalizationError.io(path: path, reason: "\(error)") }
        guard let text = file.metadata?["vidi.localizer"], let configuration = try? JSONDecoder().decode(LocalizerConfiguration.self, from: Data(text.utf8)) else {
            throw LocalizationError.badFormat(path: path, where: "metadata", reason: "no 'vidi.localizer' configuration: not a Vidi localizer checkpoint")
        }
        let model = try LocalizationModel(configuration, seed: 0)
        try model.loadStateDict(file.tensors())
        self.init(model: model)
    }

    public func save(to path: String) throws {
        // Sorted keys: the same model always gives the same bytes (JSONEncoder's default order varies per process).
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(model.configuration), as: UTF8.self)
        try Safetensors.write(model.stateDict(), metadata: ["vidi.localizer": text, "format": "pt"], to: path)
    }

    /// Segments of one video, best first.
    public func localize(features: Tensor, grid: FeatureGrid = .unit, duration: Double? = nil) throws -> [ScoredSegment] {
        try localize(batch: [features], grid: grid, durations: [duration])[0]
    }

    /// Segments of several videos (one forward pass).
    public func localize(batch: [Tensor], grid: FeatureGrid = .unit, durations: [Double?]? = nil) throws -> [[ScoredSegment]] {
        try localize(batch: batch, grids: batch.map { _ in grid }, durations: durations)
    }

    /// Segments of several videos, each placed in time by its own grid (features of different frame rates).
    public func localize(batch: [Tensor], grids: [FeatureGrid], durations: [Double?]? = nil) throws -> [[ScoredSegment]] {
        let c = model.configuration
        guard grids.count == batch.count, durations == nil || durations?.count == batch.count else {
            throw LocalizationError.invalidArgument("\(batch.count) videos but \(grids.count) grids and \(durations?.count ?? batch.count) durations")
        }
        var videos: [GridVideo] = []
        for features in batch {
            guard features.rank == 2, features.shape[1] == c.inputChannels else {
                throw LocalizationError.invalidArgument("features of shape \(features.shape): the model expects T × \(c.inputChannels)")
            }
            videos.append(try GridVideo(features: features, gridLength: c.gridLength))
        }
        let lengths = batch.map { Double($0.shape[0]) }
        return try localize(gridVideos: videos, grids: grids, durations: videos.indices.map { durations?[$0] ?? grids[$0].seconds(lengths[$0]) })
    }

    /// Segments of videos already on the model's grid (packed samples); `durations` clip the segments.
    public func localize(gridVideos videos: [GridVideo], grid: FeatureGrid, durations: [Double]) throws -> [[ScoredSegment]] {
        try localize(gridVideos: videos, grids: videos.map { _ in grid }, durations: durations)
    }

    func localize(gridVideos videos: [GridVideo], grids: [FeatureGrid], durations: [Double]) throws -> [[ScoredSegment]] {
        let c = model.configuration
        guard durations.count == videos.count, grids.count == videos.count else {
            throw LocalizationError.invalidArgument("\(videos.count) videos but \(durations.count) durations and \(grids.count) grids")
        }
        for video in videos where video.channels != c.inputChannels || video.length != c.gridLength {
            throw LocalizationError.invalidArgument("a grid video of \(video.channels) × \(video.length): the model expects \(c.inputChannels) × \(c.gridLength)")
        }
        guard !videos.isEmpty else { return [] }
        let candidates = try withNoGrad {
            c.head == .continuous ? try RCL.candidates(model, videos, refinementSteps: refinementSteps, useBoundaries: useBoundaryEvidence) : try BMN.candidates(model, videos)
        }
        return videos.indices.map { postProcess(candidates[$0], video: videos[$0], grid: grids[$0], duration: durations[$0]) }
    }

    func postProcess(_ candidates: [Candidate], video: GridVideo, grid: FeatureGrid, duration: Double) -> [ScoredSegment] {
        let classes = model.configuration.classes
        let top = candidates.sorted { $0.score > $1.score }.prefix(candidatesBeforeSuppression)
        // Suppress proposals class-agnostically; the label field carries the candidate's index.
        let proposals = top.enumerated().map { ScoredSegment(start: $1.start, end: $1.end, label: String($0), score: $1.score) }
        let kept = suppression.apply(proposals, keep: keep, normalizer: Double(video.length))
        var out: [ScoredSegment] = []
        for p in kept {
            guard let index = Int(p.label) else { continue }
            let probabilities = top[top.startIndex + index].classProbabilities
            let (s, e) = video.seconds((p.start, p.end), grid: grid)
            let (a, b) = (Swift.max(0, Swift.min(s, duration)), Swift.max(0, Swift.min(e, duration)))
            // A segment wholly past the end (the last snippet's window reaches beyond the video) clips to nothing.
            guard b > a else { continue }
            for k in probabilities.indices.sorted(by: { probabilities[$0] > probabilities[$1] }).prefix(classesPerSegment) {
                out.append(ScoredSegment(start: a, end: b, label: classes[k], score: p.score * probabilities[k]))
            }
        }
        return out.sorted { $0.score > $1.score }
    }
}
