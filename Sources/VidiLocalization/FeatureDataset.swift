import Foundation
import VidiTensor

/// Videos of one annotation subset with their `.npy` features (`<folder>/<video id>.npy`, T × C float32).
public struct FeatureDataset {
    public struct Item {
        public var id: String
        public var features: Tensor
        public var duration: Double?
        public var annotations: [LabeledSegment]
    }
    public var items: [Item]
    /// Class names of the annotations (sorted), the model's class list when training from scratch.
    public var classes: [String] { Array(Set(items.flatMap { $0.annotations.map(\.label) })).sorted() }

    public init(items: [Item]) { self.items = items }

    /// Loads every video of `subset` (`nil`: all) in `groundTruth` from `folder`; a missing or malformed
    /// `.npy` is an error naming the file.
    public init(groundTruth: GroundTruthFile, subset: String?, folder: String) throws(LocalizationError) {
        items = []
        for video in groundTruth.videos(inSubset: subset) {
            let path = "\(folder)/\(video.id).npy"
            items.append(Item(id: video.id, features: try Self.readFeatures(path), duration: video.duration, annotations: video.annotations))
        }
    }

    /// Reads one T × C float32 `.npy`.
    public static func readFeatures(_ path: String) throws(LocalizationError) -> Tensor {
        guard FileManager.default.fileExists(atPath: path) else { throw .io(path: path, reason: "no such feature file") }
        let tensor: Tensor
        do { tensor = try Tensor.readNPY(path: path) } catch { throw .io(path: path, reason: "\(error)") }
        guard tensor.rank == 2, tensor.shape[0] > 0, tensor.shape[1] > 0 else {
            throw .badFormat(path: path, where: "shape", reason: "features must be T × C, got \(tensor.shape)")
        }
        return tensor.dtype == .float32 ? tensor : tensor.to(.float32)
    }

    /// Grid videos with ground truth for training.
    public func gridVideos(_ configuration: LocalizerConfiguration, grid: FeatureGrid) throws(LocalizationError) -> [GridVideo] {
        var out: [GridVideo] = []
        for item in items {
            var video = try GridVideo(features: item.features, gridLength: configuration.gridLength)
            try video.setTruths(item.annotations, classes: configuration.classes, grid: grid)
            out.append(video)
        }
        return out
    }
}
