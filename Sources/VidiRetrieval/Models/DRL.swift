// DRL's retrieval model: foolwood/DRL `tvr/models/modeling.py` (`DRL.__init__`, `agg_video_feat` with
// `seqTransf`, `wti_interaction`), with its state-dict names: `clip.*` (OpenAI CLIP, see CLIP.swift),
// `text_weight_fc.{0,2}.*` / `video_weight_fc.{0,2}.*` (`--wti_arch 2`: Linear(D, D) → ReLU → Linear(D, 1);
// arch 1 and 3 are read from the keys too), `frame_position_embeddings.weight` and
// `transformerClip.resblocks.N.*` (the 4-layer temporal transformer, CLIP's residual block).
import VidiNN
import VidiTensor

public final class DRLModel: Module {
    public struct Configuration: Equatable, Sendable {
        /// The feature width D (CLIP's embedding size).
        public var width: Int
        /// Linear layers in each weight branch (DRL's `wti_arch`); 0 for a TI-only model.
        public var weightBranchLayers: Int
        /// Temporal transformer layers (`seqTransf`); 0 when absent (`agg_module None`).
        public var temporalLayers: Int
        /// Rows of `frame_position_embeddings` (CLIP's context length, 77, in DRL).
        public var framePositions: Int
        /// CLIP's encoders, when the checkpoint carries them.
        public var clip: CLIPModel.Configuration?

        public init(width: Int, weightBranchLayers: Int = 2, temporalLayers: Int = 0, framePositions: Int = 77,
                    clip: CLIPModel.Configuration? = nil) {
            self.width = width; self.weightBranchLayers = weightBranchLayers; self.temporalLayers = temporalLayers
            self.framePositions = framePositions; self.clip = clip
        }

        /// Reads the architecture from a checkpoint's key shapes (DRL names).
        public init(shapes: [String: [Int]]) throws {
            var branch = 0
            if shapes["text_weight_fc.weight"] != nil { branch = 1 } else {
                while shapes["text_weight_fc.\(2 * branch).weight"] != nil { branch += 1 }
            }
            var clipShapes: [String: [Int]] = [:]
            for (k, v) in shapes where k.hasPrefix("clip.") { clipShapes[String(k.dropFirst(5))] = v }
            let clip = clipShapes["visual.conv1.weight"] != nil || clipShapes["token_embedding.weight"] != nil
                ? try CLIPModel.Configuration(shapes: clipShapes) : nil
            let temporal = Set(shapes.keys.compactMap { key -> Int? in
                guard key.hasPrefix("transformerClip.resblocks.") else { return nil }
                return Int(key.dropFirst("transformerClip.resblocks.".count).split(separator: ".").first ?? "")
            }).count
            var width: Int? = clip?.embedDim
            if branch > 0 {
                let key = branch == 1 ? "text_weight_fc.weight" : "text_weight_fc.0.weight"
                guard let s = shapes[key], s.count == 2 else { throw RetrievalError.checkpoint("\(key) is not a matrix") }
                width = s[1]
            }
            var positions = 77
            if temporal > 0 {
                guard let s = shapes["frame_position_embeddings.weight"], s.count == 2 else {
                    throw RetrievalError.checkpoint("transformerClip.* present but frame_position_embeddings.weight missing")
                }
                positions = s[0]
                width = width ?? s[1]
            }
            guard let width else {
                throw RetrievalError.checkpoint("no text_weight_fc.*, transformerClip.* or clip.* keys: not a DRL checkpoint")
            }
            if temporal > 0, width % 64 != 0 { throw RetrievalError.checkpoint("temporal transformer width \(width) is not a multiple of 64") }
            self.init(width: width, weightBranchLayers: branch, temporalLayers: temporal, framePositions: positions, clip: clip)
        }
    }

    public let configuration: Configuration
    /// CLIP (`clip.*`); without encoders it still holds `clip.logit_scale`.
    public let clip: CLIPModel
    public let textWeightBranch: Module?
    public let videoWeightBranch: Module?
    public let framePositionEmbeddings: Embedding?
    public let temporalTransformer: CLIPTransformer?

    /// DRL's init (`init_weights`): Linear and Embedding weights N(0, 0.02), biases 0.
    public init(_ configuration: Configuration, generator: inout RandomGenerator) {
        self.configuration = configuration
        let d = configuration.width
        clip = CLIPModel(configuration.clip ?? .init(embedDim: d, vision: nil, text: nil), generator: &generator)
        func branch() -> Module? {
            func linear(_ o: Int) -> Linear {
                let l = Linear(d, o, generator: &generator)
                l.weight.value = Init.normal([o, d], std: 0.02, generator: &generator).requiresGrad()
                l.bias?.value = Tensor.zeros([o]).requiresGrad()
                return l
            }
            switch configuration.weightBranchLayers {
            case 0: return nil
            case 1: return linear(1)
            default:
                var layers: [any Layer] = []
                for _ in 0..<(configuration.weightBranchLayers - 1) { layers.append(linear(d)); layers.append(ReLU()) }
                layers.append(linear(1))
                return Sequential(layers)
            }
        }
        textWeightBranch = branch()
        videoWeightBranch = branch()
        if configuration.temporalLayers > 0 {
            let e = Embedding(count: configuration.framePositions, dimension: d, generator: &generator)
            e.weight.value = Init.normal([configuration.framePositions, d], std: 0.02, generator: &generator).requiresGrad()
            framePositionEmbeddings = e
            temporalTransformer = CLIPTransformer(width: d, layers: configuration.temporalLayers, heads: d / 64, generator: &generator)
        } else {
            framePositionEmbeddings = nil; temporalTransformer = nil
        }
        super.init()
        register("clip", clip)
        if let textWeightBranch, let videoWeightBranch {
            register("text_weight_fc", textWeightBranch)
            register("video_weight_fc", videoWeightBranch)
        }
        if let framePositionEmbeddings, let temporalTransformer {
            register("frame_position_embeddings", framePositionEmbeddings)
            register("transformerClip", temporalTransformer)
        }
    }

    /// Builds the model a DRL-named checkpoint describes and loads it strictly.
    /// A plain OpenAI CLIP checkpoint (no `clip.` prefix) loads as a DRL model without weight branches (TI).
    public static func load(_ tensors: [String: Tensor]) throws -> DRLModel {
        var weights = tensors
        let drlKeys = ["clip.", "text_weight_fc", "video_weight_fc", "frame_position_embeddings", "transformerClip."]
        if !tensors.keys.contains(where: { key in drlKeys.contains { key.hasPrefix($0) } }) {
            weights = Dictionary(uniqueKeysWithValues: CLIPModel.sanitize(tensors).map { ("clip." + $0.key, $0.value) })
        }
        for k in ["clip.input_resolution", "clip.context_length", "clip.vocab_size"] { weights[k] = nil }
        let configuration = try Configuration(shapes: weights.mapValues(\.shape))
        var generator = RandomGenerator(seed: 0)
        let model = DRLModel(configuration, generator: &generator)
        if weights["clip.logit_scale"] == nil { weights["clip.logit_scale"] = model.clip.logitScale.value }
        do { try model.loadStateDict(weights, strict: true) } catch { throw RetrievalError.checkpoint(error.description) }
        return model
    }

    public static func load(path: String) throws -> DRLModel {
        do { return try load(Safetensors.read(path: path)) } catch let error as RetrievalError {
            if case .checkpoint(let reason) = error { throw RetrievalError.checkpoint("\(path): \(reason)") }
            throw error
        }
    }

    private func weightLogits(_ branch: Module?, _ x: TokenFeatures, _ name: String) throws -> Tensor {
        guard let layer = branch as? any Layer else {
            throw RetrievalError.checkpoint("WTI needs \(name)_weight_fc.* weights; this model has none (use TI)")
        }
        guard x.dimension == configuration.width else {
            throw RetrievalError.shape("\(name) features are \(x.dimension)-d, the model is \(configuration.width)-d")
        }
        return try layer(x.features).squeezed(axis: 2)
    }

    /// WTI text weights `[B, T]`: the branch on unnormalised features, softmax over valid tokens.
    public func textWeights(_ text: TokenFeatures) throws -> Tensor {
        try TokenInteraction.maskedSoftmax(weightLogits(textWeightBranch, text, "text"), mask: text.mask)
    }

    /// WTI video weights `[B, V]` (they depend on the video only: an index stores them).
    public func videoWeights(_ video: TokenFeatures) throws -> Tensor {
        try TokenInteraction.maskedSoftmax(weightLogits(videoWeightBranch, video, "video"), mask: video.mask)
    }

    /// `seqTransf`: frame position embeddings added, the temporal transformer with padded frames masked
    /// (−10⁶ added to their scores), the input added back. Identity when the model has no temporal part.
    public func aggregate(_ video: TokenFeatures) throws -> TokenFeatures {
        guard let framePositionEmbeddings, let temporalTransformer else { return video }
        let b = video.batch, v = video.length, d = video.dimension, heads = d / 64
        guard d == configuration.width else { throw RetrievalError.shape("video features are \(d)-d, the model is \(configuration.width)-d") }
        guard v <= configuration.framePositions else {
            throw RetrievalError.shape("\(v) frames per video, the model has \(configuration.framePositions) frame positions")
        }
        let positions = try framePositionEmbeddings.weight.value.narrowed(axis: 0, start: 0, length: v)
        let x = try video.features + positions
        let additive = try ((1 - video.mask) * -1_000_000).reshaped([b, 1, 1, v]).expanded(to: [b, heads, v, v])
            .reshaped([b * heads, v, v])
        let y = try temporalTransformer(x, attentionMask: additive) + video.features
        return try TokenFeatures(y, mask: video.mask, name: "aggregated video")
    }

    /// Unscaled similarities `[A, B]` of texts and (already aggregated) videos.
    public func similarity(text: TokenFeatures, video: TokenFeatures, interaction: Interaction) throws -> TokenInteraction.Result {
        switch interaction {
        case .ti: return try TokenInteraction.interact(text: text, video: video, interaction: .ti)
        case .wti:
            return try TokenInteraction.interact(text: text, video: video, interaction: .wti,
                                                 textWeights: textWeights(text), videoWeights: videoWeights(video))
        }
    }

    /// DRL's training loss on a paired batch: symmetric cross-entropy on `exp(logit_scale) · sim` plus
    /// `lambda · CDCR` (skipped when lambda is 0).
    public func loss(text: TokenFeatures, video: TokenFeatures, interaction: Interaction,
                     cdcr: ChannelDecorrelation = .init(), lambda: Float = 0.001) throws -> Tensor {
        let aggregated = try aggregate(video)
        let tw = interaction == .wti ? try textWeights(text) : nil
        let vw = interaction == .wti ? try videoWeights(aggregated) : nil
        let result = try TokenInteraction.interact(text: text, video: aggregated, interaction: interaction,
                                                   textWeights: tw, videoWeights: vw)
        var total = try RetrievalLoss.symmetric(result.similarity, logitScale: clip.logitScale.value)
        if lambda != 0 {
            total = try total + cdcr.loss(result, text: text, video: aggregated, textWeights: tw, videoWeights: vw) * lambda
        }
        return total
    }
}
