import Foundation
import VidiTensor

/// What indexing and search need from a checkpoint: CLIP's encoders and DRL's head (weight branches,
/// temporal transformer), with the tokenizer. Loads DRL checkpoints and plain OpenAI CLIP ones (TI).
public final class RetrievalModel {
    public let path: String
    public let drl: DRLModel
    public let encoder: CLIPEncoder
    /// DRL's `max_words`: texts are padded to this many tokens in the reference, which decides whether a
    /// zeroed padded token joins the maxima.
    public var maxTokens = 32

    /// The small model bundled with vidi (trained by `Tools/retrieval/train-small-model.sh` on synthetic
    /// clips), or nil when the resource is missing.
    public static var bundledPath: String? {
        Bundle.module.path(forResource: "retrieval-small", ofType: "safetensors", inDirectory: "Resources")
    }

    /// `path` nil: the bundled model.
    public convenience init(path: String?) throws {
        guard let resolved = path ?? RetrievalModel.bundledPath else {
            throw RetrievalError.invalidArgument("no --weights given and the bundled model (retrieval-small.safetensors) is missing")
        }
        try self.init(path: resolved, tokenizer: nil)
    }

    public init(path: String, tokenizer: CLIPTokenizer?) throws {
        self.path = path
        drl = try DRLModel.load(path: path)
        encoder = CLIPEncoder(model: drl.clip, tokenizer: try tokenizer ?? CLIPTokenizer())
    }

    /// WTI when the checkpoint has weight branches, TI otherwise.
    public var defaultInteraction: Interaction { drl.configuration.weightBranchLayers > 0 ? .wti : .ti }

    public var resolution: Int {
        get throws {
            guard let r = drl.clip.configuration.vision?.resolution else { throw RetrievalError.checkpoint("\(path) has no image encoder") }
            return r
        }
    }

    /// A text query: its token features, weights, and the reference's padding.
    public func textQuery(_ text: String, interaction: Interaction) throws -> ScoringQuery {
        let tokens = try encoder.encodeTextTokens([text], maxTokens: maxTokens)
        var query = try FeatureScoring.prepareTexts(tokens, model: drl, interaction: interaction)[0]
        query.padded = query.count < maxTokens
        return query
    }

    /// A video's frames sampled and encoded, aggregated, weighted and normalised.
    public func indexedVideo(path video: String, id: String? = nil, frames: Int = 12, fps: Double = 1,
                             interaction: Interaction) throws -> IndexedVideo {
        let (images, _) = try MediaInput.videoFrames(path: video, resolution: resolution, maxFrames: frames, fps: fps)
        return try IndexedVideo.make(id: id ?? video, frames: encoder.encodeImages(images), model: drl, interaction: interaction)
    }
}
