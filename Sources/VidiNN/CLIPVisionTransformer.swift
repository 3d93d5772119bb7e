import VidiTensor

/// CLIP's image encoder (openai/CLIP `model.py` `VisionTransformer`) with its key names: `conv1`,
/// `class_embedding`, `positional_embedding`, `ln_pre`, `transformer.resblocks.N.{attn, ln_1, mlp.c_fc,
/// mlp.c_proj, ln_2}`, `ln_post`, `proj`. ViT-B/32 is `inputResolution: 224, patchSize: 32, width: 768,
/// layers: 12, heads: 12, outputDim: 512`; keys load from a CLIP checkpoint's `visual.` subtree.
public final class CLIPVisionTransformer: Module {
    public let conv1: Conv2d
    public let classEmbedding: Parameter
    public let positionalEmbedding: Parameter
    public let lnPre: LayerNorm
    public let transformer: CLIPTransformer
    public let lnPost: LayerNorm
    public let proj: Parameter
    public let inputResolution: Int

    /// CLIP's init for the embeddings and projection: `width^-0.5 · N(0, 1)`.
    public init(inputResolution: Int, patchSize: Int, width: Int, layers: Int, heads: Int, outputDim: Int,
                generator: inout RandomGenerator) {
        precondition(inputResolution % patchSize == 0, "resolution \(inputResolution) is not a multiple of patch size \(patchSize)")
        self.inputResolution = inputResolution
        let scale = 1 / Float(width).squareRoot()
        let tokens = (inputResolution / patchSize) * (inputResolution / patchSize) + 1
        conv1 = Conv2d(3, width, kernelSize: [patchSize], stride: [patchSize], bias: false, generator: &generator)
        classEmbedding = Parameter(Init.normal([width], std: scale, generator: &generator))
        positionalEmbedding = Parameter(Init.normal([tokens, width], std: scale, generator: &generator))
        lnPre = LayerNorm(width)
        transformer = CLIPTransformer(width: width, layers: layers, heads: heads, generator: &generator)
        lnPost = LayerNorm(width)
        proj = Parameter(Init.normal([width, outputDim], std: scale, generator: &generator))
        super.init()
        register("conv1", conv1)
        register("class_embedding", classEmbedding)
        register("positional_embedding", positionalEmbedding)
        register("ln_pre", lnPre)
        register("transformer", transformer)
        register("ln_post", lnPost)
        register("proj", proj)
    }

    /// Every token after the transformer and `ln_post`, `[N, 1 + patches, width]` (token 0 is the class
    /// token) — the per-patch features token-wise retrieval models use.
    public func tokens(_ images: Tensor) throws -> Tensor {
        guard images.rank == 4, images.shape[1] == 3, images.shape[2] == inputResolution, images.shape[3] == inputResolution else {
            throw TensorError.invalidArgument(op: "CLIPVisionTransformer", reason: "input \(images.shape) is not [N, 3, \(inputResolution), \(inputResolution)]")
        }
        let n = images.shape[0], width = classEmbedding.shape[0]
        let patches = try conv1(images).flattened(from: 2).permuted([0, 2, 1])                // [N, P, W]
        let cls = try classEmbedding.value.reshaped([1, 1, width]).expanded(to: [n, 1, width])
        var x = try Tensor.concatenate([cls, patches], axis: 1) + positionalEmbedding.value
        x = try transformer(lnPre(x))
        return try lnPost(x)
    }

    /// The image embedding `[N, outputDim]`: the class token projected by `proj`.
    public func callAsFunction(_ images: Tensor) throws -> Tensor {
        try tokens(images).selecting(axis: 1, index: 0).matmul(proj.value)
    }
}

/// CLIP's `Transformer`: `resblocks`, a Sequential of residual attention blocks (batch-first here; the
/// weights are layout-independent).
public final class CLIPTransformer: Module, Layer {
    public let resblocks: Sequential

    public init(width: Int, layers: Int, heads: Int, generator: inout RandomGenerator) {
        var blocks: [any Layer] = []
        for _ in 0..<layers { blocks.append(CLIPResidualAttentionBlock(width: width, heads: heads, generator: &generator)) }
        resblocks = Sequential(blocks)
        super.init()
        register("resblocks", resblocks)
    }

    /// `[N, L, width]` → same shape.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try resblocks(x) }

    /// With an attention mask passed to every block, as CLIP's text transformer (causal `[L, L]`, −∞ above
    /// the diagonal) and DRL's temporal transformer (`[N·heads, L, L]` additive) use it.
    public func callAsFunction(_ x: Tensor, attentionMask: Tensor?) throws -> Tensor {
        guard let attentionMask else { return try resblocks(x) }
        var y = x
        for case let block as CLIPResidualAttentionBlock in resblocks.layers { y = try block(y, attentionMask: attentionMask) }
        return y
    }

    /// Number of residual blocks.
    public var layerCount: Int { resblocks.layers.count }
}

/// CLIP's `ResidualAttentionBlock`: pre-norm self-attention and a QuickGELU MLP (`mlp.c_fc`, `mlp.c_proj`).
final class CLIPResidualAttentionBlock: Module, Layer {
    let attn: MultiheadAttention
    let ln1: LayerNorm
    let mlp: CLIPMLP
    let ln2: LayerNorm

    init(width: Int, heads: Int, generator: inout RandomGenerator) {
        attn = MultiheadAttention(embedDim: width, heads: heads, batchFirst: true, generator: &generator)
        ln1 = LayerNorm(width)
        mlp = CLIPMLP(width: width, generator: &generator)
        ln2 = LayerNorm(width)
        super.init()
        register("attn", attn)
        register("ln_1", ln1)
        register("mlp", mlp)
        register("ln_2", ln2)
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor { try self(x, attentionMask: nil) }

    func callAsFunction(_ x: Tensor, attentionMask: Tensor?) throws -> Tensor {
        let y = try ln1(x)
        let attended = try x + attn(y, y, y, attentionMask: attentionMask)
        return try attended + mlp(ln2(attended))
    }
}

/// `c_fc` → QuickGELU `x·σ(1.702x)` → `c_proj`.
final class CLIPMLP: Module, Layer {
    let cFc: Linear
    let cProj: Linear

    init(width: Int, generator: inout RandomGenerator) {
        cFc = Linear(width, width * 4, generator: &generator)
        cProj = Linear(width * 4, width, generator: &generator)
        super.init()
        register("c_fc", cFc)
        register("c_proj", cProj)
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        let h = try cFc(x)
        return try cProj(h.quickGELU())
    }
}
