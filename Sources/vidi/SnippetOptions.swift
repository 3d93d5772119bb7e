import ArgumentParser
import Foundation
import VidiLocalization

/// The snippet options `vidi features` and `vidi localize --backbone` share.
struct SnippetOptions: ParsableArguments {
    @Option(help: "Frames between the starts of consecutive snippets.") var stride: Int = 8
    @Option(help: "Frames per snippet (the window each feature summarises).") var window: Int = 16
    @Option(help: "Centre-crop side in pixels (default: 224 for an image ResNet, 112 for a video ResNet).") var size: Int?
    @Option(help: "Shorter side frames are resized to before the crop (default: 256 image, 128 video).") var resize: Int?
    @Option(help: "Snippets per forward pass.") var batch: Int = 16

    func validate() throws {
        guard stride > 0, window > 0 else { throw ValidationError("--stride and --window must be > 0 frames") }
        guard batch > 0 else { throw ValidationError("--batch must be > 0") }
        if let size, size <= 0 { throw ValidationError("--size must be > 0") }
        if let resize, resize <= 0 { throw ValidationError("--resize must be > 0") }
        if let size, let resize, size > resize { throw ValidationError("--size \(size) does not fit in frames resized to --resize \(resize)") }
    }

    /// The extractor for backbone weights `path`.
    func extractor(weights path: String) throws -> SnippetFeatureExtractor {
        try SnippetFeatureExtractor(weights: path, stride: stride, window: window, resize: resize, crop: size, batch: batch)
    }

    /// One id per video: the file name without extension; a name seen before gets `-2`, `-3`, ...
    static func videoIDs(for files: [String]) -> [String] {
        var seen: [String: Int] = [:]
        return files.map { file in
            let stem = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
            let count = (seen[stem] ?? 0) + 1
            seen[stem] = count
            return count == 1 ? stem : "\(stem)-\(count)"
        }
    }
}
