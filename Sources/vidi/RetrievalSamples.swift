import Foundation
import VidiRetrieval
import VidiTensor
import VidiTraining

/// What `vidi train retrieval` reads from a shard batch: feature pairs or captioned clips (see
/// `RetrievalShards`), or clips that `vidi run Pipelines/frames.yaml` wrote (`frames.npy` uint8
/// `[T, R, R, 3]` with a caption in the sample's `.json` or `.txt`).
enum RetrievalSamples {
    enum Kind { case features, clips }

    static func kind(of sample: DecodedSample) throws -> Kind {
        let names = Set(sample.values.keys)
        if names.isSuperset(of: ["text.npy", "video.npy"]) { return .features }
        if names.contains("frames.npy") { return .clips }
        throw TrainingError.badSample(key: sample.key, reason: "neither a feature pair (text.npy, video.npy) nor a clip (frames.npy); "
                                      + "has \(names.sorted()). Make shards with `vidi pack retrieval`")
    }

    /// Text and video token features of a feature-pair batch.
    static func features(_ batch: Batch) throws -> (text: TokenFeatures, video: TokenFeatures) {
        let text = try batch.tensor("text.npy").to(.float32), video = try batch.tensor("video.npy").to(.float32)
        let textMask = batch.fields["text_mask.npy"] != nil ? try batch.tensor("text_mask.npy").to(.float32) : nil
        let videoMask = batch.fields["video_mask.npy"] != nil ? try batch.tensor("video_mask.npy").to(.float32) : nil
        return (try TokenFeatures(text, mask: textMask, name: "text.npy of \(batch.keys.first ?? "")"),
                try TokenFeatures(video, mask: videoMask, name: "video.npy of \(batch.keys.first ?? "")"))
    }

    /// Frames `[B, F, 3, R, R]` ready for CLIP and their mask `[B, F]`. Float frames are taken as already
    /// preprocessed (`vidi pack retrieval`); integer `[B, T, R, R, 3]` pixels are scaled to [0, 1] and
    /// normalised with CLIP's mean and std (the frames pipeline must already have resized and cropped).
    static func frames(_ batch: Batch, resolution: Int) throws -> (images: Tensor, mask: Tensor) {
        var images = try batch.tensor("frames.npy")
        if images.dtype != .float32 {
            guard images.rank == 5, images.shape[4] == 3 else {
                throw TrainingError.badSample(key: batch.keys[0], reason: "integer frames.npy must be [T, H, W, 3] pixels, got \(Array(images.shape.dropFirst()))")
            }
            let mean = try Tensor(CLIPPreprocess.mean, shape: [3]), std = try Tensor(CLIPPreprocess.std, shape: [3])
            images = try ((images.to(.float32) / 255 - mean) / std).permuted([0, 1, 4, 2, 3]).contiguous()
        }
        guard images.rank == 5, images.shape[2] == 3, images.shape[3] == resolution, images.shape[4] == resolution else {
            throw TrainingError.badSample(key: batch.keys[0], reason: "frames must be \(resolution) x \(resolution) RGB for this model "
                                          + "(F x 3 x R x R preprocessed, or T x R x R x 3 pixels), got \(Array(images.shape.dropFirst()))")
        }
        let mask = batch.fields["frame_mask.npy"] != nil ? try batch.tensor("frame_mask.npy").to(.float32)
            : Tensor.ones([images.shape[0], images.shape[1]])
        return (images, mask)
    }

    /// Every caption of each sample: the `.json`'s `captions` list or `caption` string, else the `.txt` member.
    static func captions(_ batch: Batch) throws -> [[String]] {
        let documents = batch.values("json"), texts = batch.values("txt")
        return try batch.keys.indices.map { i -> [String] in
            if i < documents.count, case .json(.object(let object)) = documents[i] {
                if case .array(let list)? = object["captions"] {
                    let strings = list.compactMap { item -> String? in if case .string(let s) = item { return s } else { return nil } }
                    if !strings.isEmpty { return strings }
                }
                if case .string(let caption)? = object["caption"] { return [caption] }
            }
            if i < texts.count, case .text(let caption) = texts[i] { return [caption] }
            throw TrainingError.badSample(key: batch.keys[i], reason: "no caption: needs a .json with 'captions' or 'caption', or a .txt member")
        }
    }
}
