import ArgumentParser
import Foundation
import VidiRetrieval
import VidiTensor

/// `vidi pack retrieval`: precomputed features, or videos with MSR-VTT captions, -> shards for
/// `vidi train retrieval`.
struct PackRetrievalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieval",
        abstract: "Pack retrieval training data (features, or videos + captions) into shards for `vidi train retrieval`.",
        discussion: """
            From features: --text-features T.npy (N x N_t x D) [--text-mask] --video-features V.npy \
            (N x N_v x D) [--video-mask]; pair i matches. Each pair becomes one sample (text.npy, \
            text_mask.npy, video.npy, video_mask.npy).
            From videos: --annotations A.json (MSR-VTT layout: videos / sentences with video_id, caption) \
            --videos DIR (files <video_id>.mp4, .webm, ...). Each video becomes one sample: frames.npy, its \
            frames sampled at --fps (at most --frames, DRL's rule) and preprocessed for CLIP at --resolution \
            (float32 F x 3 x R x R, zero-padded to --frames), frame_mask.npy and json with every caption.
            The last --validation samples go to <out>/validation-NNNNNN.tar, the rest to
            <out>/training-NNNNNN.tar (input order; shuffle at training time).

            Example:
              vidi synth-clips --out data/clips --count 300 --seed 1
              vidi pack retrieval --annotations data/clips/captions.json --videos data/clips \\
                --resolution 32 --validation 50 --out data/shards
            """)

    @Option(help: "MSR-VTT-layout captions (.json).") var annotations: String?
    @Option(help: "Folder of the videos named by video_id.") var videos: String?
    @Option(name: .customLong("text-features"), help: "Text token features N x N_t x D (.npy).") var textFeatures: String?
    @Option(name: .customLong("text-mask"), help: "Text mask N x N_t (.npy; default all valid).") var textMask: String?
    @Option(name: .customLong("video-features"), help: "Video frame features N x N_v x D (.npy).") var videoFeatures: String?
    @Option(name: .customLong("video-mask"), help: "Video mask N x N_v (.npy; default all valid).") var videoMask: String?
    @Option(help: "Frames per video at most (with --videos).") var frames = 12
    @Option(help: "Frames sampled per second before the --frames cut (with --videos).") var fps: Double = 1
    @Option(help: "The model's input resolution (with --videos).") var resolution = 224
    @Option(help: "Samples held out for validation (the last ones).") var validation = 0
    @Option(name: .customLong("per-shard"), help: "Samples per shard.") var perShard = 100
    @Option(help: "Output folder.") var out: String

    func validate() throws {
        let fromVideos = annotations != nil || videos != nil, fromFeatures = textFeatures != nil || videoFeatures != nil
        guard fromVideos != fromFeatures else { throw ValidationError("give --annotations with --videos, or --text-features with --video-features") }
        if fromVideos, annotations == nil || videos == nil { throw ValidationError("--annotations and --videos go together") }
        if fromFeatures, textFeatures == nil || videoFeatures == nil { throw ValidationError("--text-features and --video-features go together") }
        guard frames >= 1, fps > 0, resolution >= 1, perShard >= 1, validation >= 0 else {
            throw ValidationError("--frames, --resolution and --per-shard must be >= 1, --fps > 0, --validation >= 0")
        }
    }

    func run() throws {
        try RetrievalCommand.run("pack retrieval") {
            let count: Int
            let members: (Int) throws -> [(String, [UInt8])]
            if let annotations, let videos {
                let data = try CaptionedVideos(path: annotations)
                count = data.videoIds.count
                members = { i in
                    let id = data.videoIds[i]
                    let (images, _) = try MediaInput.videoFrames(path: CaptionedVideos.videoPath(id, in: videos), resolution: resolution,
                                                                 maxFrames: frames, fps: fps)
                    return try RetrievalShards.clipMembers(id: id, captions: data.captions[id] ?? [], frames: images, slots: frames)
                }
            } else if let textFeatures, let videoFeatures {
                let text = try TokenFeatures(Tensor.readNPY(path: textFeatures).to(.float32), mask: textMask.map { try Tensor.readNPY(path: $0) },
                                             name: textFeatures)
                let video = try TokenFeatures(Tensor.readNPY(path: videoFeatures).to(.float32), mask: videoMask.map { try Tensor.readNPY(path: $0) },
                                              name: videoFeatures)
                guard text.batch == video.batch else { throw RetrievalError.shape("\(text.batch) texts and \(video.batch) videos: pair i must match") }
                count = text.batch
                members = { i in try RetrievalShards.featureMembers(i, text: text, video: video) }
            } else {
                throw ValidationError("nothing to pack")
            }
            guard validation < count else { throw ValidationError("--validation \(validation) leaves no training sample of \(count)") }
            let trainCount = count - validation
            for (prefix, range) in [("training", 0..<trainCount), ("validation", trainCount..<count)] where !range.isEmpty {
                let paths = try RetrievalShards.write(count: range.count, perShard: perShard, directory: out, prefix: prefix,
                                                      firstKey: range.lowerBound) { try members(range.lowerBound + $0) }
                let pattern = paths.count == 1 ? paths[0] : "\(out)/\(prefix)-{000000..\(String(format: "%06d", paths.count - 1))}.tar"
                MediaCommand.printLine("\(prefix): \(range.count) sample(s) in \(paths.count) shard(s): \(pattern)")
            }
        }
    }
}
