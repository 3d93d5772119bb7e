import ArgumentParser
import Foundation
import VidiLocalization
import VidiMedia
import VidiTensor

/// `vidi features`: per-snippet features of videos by a torchvision backbone, for `vidi localize`.
struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Extract T x C snippet features from videos with a ResNet or video ResNet; write <id>.npy plus a <id>.json sidecar.",
        discussion: """
            The backbone is chosen from the weights (safetensors with torchvision's key names, e.g. converted by \
            Tools/convert_checkpoint.py):
              image ResNet (resnet18 ... resnet152): every frame of a window embedded, the embeddings averaged;
                ImageNet mean/std; default shorter side 256, centre crop 224.
              video ResNet (r3d_18, r2plus1d_18): the window as one clip; Kinetics mean/std; default 128 / 112.
            Snippet i covers frames [i*stride, i*stride + window). Every full window is used, plus one last \
            partial window when frames after the last full one would be left out (a video shorter than the \
            window has one); it averages the frames that exist (image) or repeats the last frame (video).
            The sidecar <id>.json records fps, stride, window, frames, duration, dimension, snippets, backbone \
            and weights, so `vidi localize` places the features in time without --fps/--stride/--window.
            The id is the video's file name without extension (-2, -3 ... when two videos share one).

            Examples:
              vidi features clips/*.mp4 --weights r2plus1d_18.safetensors --stride 8 --window 16 --out feats/
              vidi localize --model rcl.safetensors feats/*.npy --out predictions.json
            """
    )

    @Argument(help: "Video files.") var videos: [String] = []
    @Option(help: "Backbone weights (.safetensors, torchvision key names).") var weights: String
    @Option(help: "Output folder for <id>.npy and <id>.json.") var out: String
    @OptionGroup var snippets: SnippetOptions
    @Flag(help: "One JSON line per video instead of text.") var json = false

    func run() throws {
        guard !videos.isEmpty else { throw ValidationError("give one or more video files") }
        ComputeBudget.configure(workers: 1)
        let extractor: SnippetFeatureExtractor
        do { extractor = try snippets.extractor(weights: weights) } catch { EvalOutput.fail(error) }
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw ValidationError("cannot create output folder \(out): \(MediaCommand.reason(error))")
        }
        let ids = SnippetOptions.videoIDs(for: videos)
        var written = 0
        do {
            try MediaCommand.forEachFile(videos) { file, position in
                let reader = try VideoReader(path: file)
                let progress = FileProgress(label: "[\(position + 1)/\(videos.count)] \(ids[position]) snippets",
                                            total: try SnippetLayout(frameCount: reader.info.frameCount, stride: extractor.stride,
                                                                     window: extractor.window).count)
                defer { progress.finish() }
                let result = try extractor.extract(reader) { done, _ in progress.update(done) }
                MediaCommand.reportWarnings(of: reader)
                let npy = (out as NSString).appendingPathComponent("\(ids[position]).npy")
                try result.features.writeNPY(to: npy)
                try result.sidecar.write(to: FeatureSidecar.path(forFeatures: npy))
                written += 1
                progress.finish()
                let s = result.sidecar
                if json {
                    try JSONOutput.print(.object(["file": .string(file), "id": .string(ids[position]), "features": .string(npy),
                                                  "sidecar": s.json]))
                } else {
                    MediaCommand.printLine("\(file): \(s.snippets) x \(s.dimension) features (\(s.backbone), stride \(s.stride), "
                                           + "window \(s.window), \(String(format: "%.3f", s.fps)) fps) -> \(npy)")
                }
            }
        } catch let exit as ExitCode {
            FileHandle.standardError.write(Data("vidi: features: \(videos.count - written) of \(videos.count) videos failed\n".utf8))
            throw exit
        }
    }
}
