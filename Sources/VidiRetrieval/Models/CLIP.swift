// CLIP as OpenAI's public code defines it: openai/CLIP `clip/model.py` (`CLIP`, `encode_image`,
// `encode_text`, `build_model`, which reads the architecture from the state dict's shapes). The image tower is
// VidiNN's `CLIPVisionTransformer` under `visual.`; the text tower's keys sit at the top level as in the
// reference: `token_embedding`, `positional_embedding`, `transformer.resblocks.N`, `ln_final`,
// `text_projection`, and `logit_scale`. DRL checkpoints (foolwood/DRL) carry the same keys under `clip.`.
import Foundation
import VidiNN
import VidiTensor

public final class CLIPModel: Module {
    /// The architecture, read from checkpoint shapes as `build_model` does; heads are `width / 64`.
    public struct Configuration: Equatable, Sendable {
        public struct Vision: Equatable, Sendable {
            public var resolution: Int, patchSize: Int, width: Int, layers: Int
            public init(resolution: Int, patchSize: Int, width: Int, layers: Int) {
                self.resolution = resolution; self.patchSize = patchSize; self.width = width; self.layers = layers
            }
        }
        public struct Text: Equatable, Sendable {
            public var contextLength: Int, vocabularySize: Int, width: Int, layers: Int
            public init(contextLength: Int = 77, vocabularySize: Int = 49408, width: Int, layers: Int) {
                self.contextLength = contextLength; self.vocabularySize = vocabularySize; self.width = width; self.layers = layers
            }
        }
        public var embedDim: Int
        public var vision: Vision?
        public var text: Text?

        public init(embedDim: Int, vision: Vision?, text: Text?) {
            self.embedDim = embedDim; self.vision = vision; self.text = text
        }

        /// Reads the towers present in `shapes` (keys without the `clip.` prefix); a tower whose keys are
        /// absent is nil. ViT-B/32: `visual.conv1.weight` [768, 3, 32, 32], 50 positions → 224 px.
        public init(shapes: [String: [Int]]) throws {
            func shape(_ key: String, rank: Int) throws -> [Int] {
                guard let s = shapes[key] else { throw RetrievalError.checkpoint("missing key \(key)") }
                guard s.count == rank else { throw RetrievalError.checkpoint("\(key) has shape \(s), expected rank \(rank)") }
                return s
            }
            func layers(_ prefix: String) -> Int {
                Set(shapes.keys.compactMap { key -> Int? in
                    guard key.hasPrefix(prefix) else { return nil }
                    return Int(key.dropFirst(prefix.count).split(separator: ".").first ?? "")
                }).count
            }
            var vision: Vision? = nil, text: Text? = nil, embed: Int? = nil
            if shapes["visual.conv1.weight"] != nil {
                let conv = try shape("visual.conv1.weight", rank: 4)
                let positions = try shape("visual.positional_embedding", rank: 2)[0]
                let grid = Int(Double(positions - 1).squareRoot().rounded())
                guard grid * grid + 1 == positions, conv[2] == conv[3] else {
                    throw RetrievalError.checkpoint("visual.positional_embedding has \(positions) rows, not a square grid + 1")
                }
                let proj = try shape("visual.proj", rank: 2)
                vision = Vision(resolution: grid * conv[3], patchSize: conv[3], width: conv[0],
                                layers: layers("visual.transformer.resblocks."))
                embed = proj[1]
            }
            if shapes["token_embedding.weight"] != nil {
                let tokens = try shape("token_embedding.weight", rank: 2)
                let positions = try shape("positional_embedding", rank: 2)
                let projection = try shape("text_projection", rank: 2)
                text = Text(contextLength: positions[0], vocabularySize: tokens[0], width: tokens[1],
                            layers: layers("transformer.resblocks."))
                if let e = embed, e != projection[1] {
                    throw RetrievalError.checkpoint("visual.proj gives \(e)-d embeddings, text_projection \(projection[1])-d")
                }
                embed = projection[1]
            }
            guard let embed else { throw RetrievalError.checkpoint("neither visual.conv1.weight nor token_embedding.weight: not a CLIP checkpoint") }
            for (name, width) in [("visual", vision?.width), ("text", text?.width)] {
                if let width, width < 64 || width % 64 != 0 {
                    throw RetrievalError.checkpoint("\(name) width \(width) is not a multiple of 64 (CLIP uses width / 64 heads)")
                }
            }
            self.init(embedDim: embed, vision: vision, text: text)
        }
    }

    public let configuration: Configuration
    public let visual: CLIPVisionTransformer?
    public let tokenEmbedding: Embedding?
    public let positionalEmbedding: Parameter?
    public let transformer: CLIPTransformer?
    public let lnFinal: LayerNorm?
    public let textProjection: Parameter?
    public let logitScale: Parameter

    /// CLIP's init (`initialize_parameters`): token embedding N(0, 0.02), positions N(0, 0.01), projection
    /// `width^-0.5`, `logit_scale = log(1 / 0.07)`.
    public init(_ configuration: Configuration, generator: inout RandomGenerator) {
        self.configuration = configuration
        if let v = configuration.vision {
            visual = CLIPVisionTransformer(inputResolution: v.resolution, patchSize: v.patchSize, width: v.width,
                                           layers: v.layers, heads: v.width / 64, outputDim: configuration.embedDim,
                                           generator: &generator)
        } else { visual = nil }
        if let t = configuration.text {
            let e = Embedding(count: t.vocabularySize, dimension: t.width, generator: &generator)
            e.weight.value = Init.normal([t.vocabularySize, t.width], std: 0.02, generator: &generator).requiresGrad()
            tokenEmbedding = e
            positionalEmbedding = Parameter(Init.normal([t.contextLength, t.width], std: 0.01, generator: &generator))
            transformer = CLIPTransformer(width: t.width, layers: t.layers, heads: t.width / 64, generator: &generator)
            lnFinal = LayerNorm(t.width)
            textProjection = Parameter(Init.normal([t.width, configuration.embedDim], std: 1 / Float(t.width).squareRoot(),
                                                   generator: &generator))
        } else {
            tokenEmbedding = nil; positionalEmbedding = nil; transformer = nil; lnFinal = nil; textProjection = nil
        }
        logitScale = Parameter(Tensor(Float(Foundation.log(1 / 0.07))))
        super.init()
        if let visual { register("visual", visual) }
        if let tokenEmbedding, let positionalEmbedding, let transformer, let lnFinal, let textProjection {
            register("token_embedding", tokenEmbedding)
            register("positional_embedding", positionalEmbedding)
            register("transformer", transformer)
            register("ln_final", lnFinal)
            register("text_projection", textProjection)
        }
        register("logit_scale", logitScale)
    }

    /// `encode_image`: `[N, 3, R, R]` preprocessed images → `[N, embedDim]` (not normalised).
    public func encodeImage(_ images: Tensor) throws -> Tensor {
        guard let visual else { throw RetrievalError.checkpoint("this checkpoint has no image encoder (visual.*)") }
        return try visual(images)
    }

    /// Every token's final feature projected: `[N, L]` int token ids (L ≤ context) → `[N, L, embedDim]`
    /// (`ln_final` then `@ text_projection` on every row, the token features WTI uses).
    public func encodeTextTokens(_ ids: Tensor) throws -> Tensor {
        guard let tokenEmbedding, let positionalEmbedding, let transformer, let lnFinal, let textProjection,
              let text = configuration.text else {
            throw RetrievalError.checkpoint("this checkpoint has no text encoder (token_embedding.weight, transformer.*)")
        }
        guard ids.rank == 2, ids.dtype == .int64 || ids.dtype == .int32 else {
            throw RetrievalError.shape("token ids must be an integer [N, L] tensor, got \(ids.dtype) \(ids.shape)")
        }
        let l = ids.shape[1]
        guard l >= 1, l <= text.contextLength else {
            throw RetrievalError.shape("\(l) tokens per text, the model's context is \(text.contextLength)")
        }
        let maxID = try ids.to(.int64).max().item()
        guard Int(maxID) < text.vocabularySize, try ids.to(.int64).min().item() >= 0 else {
            throw RetrievalError.invalidArgument("token id \(Int(maxID)) outside the vocabulary of \(text.vocabularySize)")
        }
        var x = try tokenEmbedding(ids) + positionalEmbedding.value.narrowed(axis: 0, start: 0, length: l)
        x = try transformer(x, attentionMask: CLIPModel.causalMask(l))
        return try lnFinal(x).matmul(textProjection.value)
    }

    /// `encode_text`: the projected feature at each text's end-of-text token (its highest id) → `[N, embedDim]`.
    public func encodeText(_ ids: Tensor) throws -> Tensor {
        let tokens = try encodeTextTokens(ids)
        let eot = try ids.to(.int64).argmax(axis: 1)                 // first maximum, as torch.argmax
        let n = ids.shape[0], l = ids.shape[1]
        let rows = try eot.toArray(Int64.self).enumerated().map { Int64($0.offset * l) + $0.element }
        return try tokens.reshaped([n * l, configuration.embedDim])
            .indexSelect(axis: 0, indices: Tensor(elements: rows, shape: [n]))
    }

    /// `[L, L]` with −∞ above the diagonal (`build_attention_mask`).
    static func causalMask(_ l: Int) -> Tensor {
        Tensor(unsafeUninitializedShape: [l, l]) { m in
            for i in 0..<l { for j in 0..<l { m[i * l + j] = j > i ? -.infinity : 0 } }
        }
    }

    /// Builds the model a checkpoint describes and loads it strictly. Keys may carry DRL's `clip.` prefix;
    /// other DRL keys (weight branches, temporal transformer) and OpenAI's bookkeeping entries
    /// (`input_resolution`, `context_length`, `vocab_size`) are ignored here.
    public static func load(_ tensors: [String: Tensor]) throws -> CLIPModel {
        let weights = sanitize(tensors)
        let configuration = try Configuration(shapes: weights.mapValues(\.shape))
        var generator = RandomGenerator(seed: 0)
        let model = CLIPModel(configuration, generator: &generator)
        var own = weights
        if own["logit_scale"] == nil { own["logit_scale"] = model.logitScale.value }
        do { try model.loadStateDict(own, strict: true) } catch {
            throw RetrievalError.checkpoint(error.description)
        }
        return model
    }

    public static func load(path: String) throws -> CLIPModel {
        do { return try load(Safetensors.read(path: path)) } catch let error as RetrievalError {
            if case .checkpoint(let reason) = error { throw RetrievalError.checkpoint("\(path): \(reason)") }
            throw error
        }
    }

    /// The CLIP keys of a checkpoint without the `clip.` prefix; nothing else.
    public static func sanitize(_ tensors: [String: Tensor]) -> [String: Tensor] {
        let prefixed = tensors.keys.contains { $0.hasPrefix("clip.") }
        var out: [String: Tensor] = [:]
        let dropped: Set<String> = ["input_resolution", "context_length", "vocab_size"]
        for (key, value) in tensors {
            var k = key
            if prefixed {
                guard key.hasPrefix("clip.") else { continue }
                k = String(key.dropFirst(5))
            }
            let isCLIP = k.hasPrefix("visual.") || k.hasPrefix("transformer.") || k == "token_embedding.weight"
                || k == "positional_embedding" || k.hasPrefix("ln_final.") || k == "text_projection" || k == "logit_scale"
            if isCLIP, !dropped.contains(k) { out[k] = value }
        }
        return out
    }
}
