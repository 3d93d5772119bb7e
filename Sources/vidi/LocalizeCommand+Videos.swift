import ArgumentParser
import Foundation
import VidiLocalization
import VidiMedia
import VidiTensor

/// `vidi localize --backbone`: videos → snippet features in memory (as `vidi features`) → localizer.
extension LocalizeCommand {
    /// A video that fails is reported and left out; the others are still localized and written, then the
    /// command exits 1. With `truth` (the `--gt` subset) every video of it must be among the arguments
    /// (checked before any decoding, so a typo costs nothing), arguments outside it are skipped with a note,
    /// and the ground truth's durations clip the segments, as they do for `--features`.
    func localizeVideos(with localizer: Localizer, backbone path: String,
                        truth: [GroundTruthFile.Video]? = nil) throws -> [(id: String, predictions: [ScoredSegment])] {
        func frames(_ value: Double?, _ name: String, default fallback: Int) throws -> Int {
            guard let value else { return fallback }
            guard value == value.rounded(), value >= 1, value < 1e9 else { throw ValidationError("--\(name) counts frames with --backbone: a whole number >= 1") }
            return Int(value)
        }
        var selected = Array(zip(files, SnippetOptions.videoIDs(for: files)))
        var durations: [String: Double] = [:]
        if let truth {
            let given = Set(selected.map(\.1))
            let missing = truth.map(\.id).filter { !given.contains($0) }
            guard missing.isEmpty else {
                throw ValidationError("--gt: \(missing.count) videos of subset '\(subset)' have no video file among the arguments "
                                      + "(the id is the file name without extension): \(missing.prefix(5).joined(separator: ", "))"
                                      + (missing.count > 5 ? ", ..." : "") + "; give them, or pick another --subset ('all' for every video)")
            }
            let wanted = Set(truth.map(\.id))
            let skipped = selected.filter { !wanted.contains($0.1) }.map(\.1)
            if !skipped.isEmpty {
                FileHandle.standardError.write(Data("vidi: localize: skipping \(skipped.count) videos not in subset '\(subset)' of --gt: \(skipped.prefix(5).joined(separator: ", "))\(skipped.count > 5 ? ", ..." : "")\n".utf8))
            }
            selected = selected.filter { wanted.contains($0.1) }
            for video in truth { if let d = video.duration { durations[video.id] = d } }
        }
        ComputeBudget.configure(workers: 1)
        let extractor = try SnippetFeatureExtractor(weights: path, stride: frames(stride, "stride", default: 8), window: frames(window, "window", default: 16),
                                                    resize: resize, crop: size, batch: batch)
        let channels = localizer.model.configuration.inputChannels
        guard extractor.backbone.dimension == channels else {
            throw LocalizationError.invalidArgument("the backbone \(path) gives \(extractor.backbone.dimension)-d features but the model expects \(channels)")
        }
        var results: [(id: String, predictions: [ScoredSegment])] = []
        var failure: ExitCode?
        do {
            try MediaCommand.forEachFile(selected.map(\.0)) { file, position in
                let id = selected[position].1
                let reader = try VideoReader(path: file)
                let extracted = try extractor.extract(reader)
                MediaCommand.reportWarnings(of: reader)
                var sidecar = extracted.sidecar
                sidecar.fps = fps ?? sidecar.fps
                results.append((id, try localize(extracted.features, with: localizer, grid: sidecar.grid(), duration: durations[id] ?? sidecar.duration)))
            }
        } catch let exit as ExitCode {
            FileHandle.standardError.write(Data("vidi: localize: \(selected.count - results.count) of \(selected.count) videos failed\n".utf8))
            failure = exit
        }
        if let failure {
            if let out { try PredictionFile(videos: results).write(to: out); print("wrote \(out) (\(results.count) videos)") }
            throw failure
        }
        return results
    }
}
