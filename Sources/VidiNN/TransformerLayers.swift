import VidiTensor

/// The feed-forward activation of a transformer layer.
public enum TransformerActivation: Sendable {
    case relu, gelu

    func apply(_ x: Tensor) throws -> Tensor {
        switch self {
        case .relu: return try x.relu()
        case .gelu: return try x.gelu()
        }
    }
}

/// Hyper-parameters shared by the encoder and decoder layers (PyTorch's constructor arguments).
public struct TransformerLayerOptions: Sendable {
    public var feedForwardDim: Int
    public var dropout: Float
    public var activation: TransformerActivation
    public var layerNormEpsilon: Float
    public var batchFirst: Bool
    /// Pre-norm (`x + f(norm(x))`) when true, post-norm (`norm(x + f(x))`, the original) when false.
    public var normFirst: Bool

    public init(feedForwardDim: Int = 2048, dropout: Float = 0.1, activation: TransformerActivation = .relu,
                layerNormEpsilon: Float = 1e-5, batchFirst: Bool = false, normFirst: Bool = false) {
        self.feedForwardDim = feedForwardDim
        self.dropout = dropout
        self.activation = activation
        self.layerNormEpsilon = layerNormEpsilon
        self.batchFirst = batchFirst
        self.normFirst = normFirst
    }
}

/// The position-wise feed-forward block `linear2(dropout(act(linear1(x))))`; registers `linear1`,
/// `dropout`, `linear2` on its owner so the keys are PyTorch's.
struct FeedForward {
    let linear1: Linear
    let linear2: Linear
    let dropout: Dropout
    let activation: TransformerActivation

    init(model: Int, options: TransformerLayerOptions, generator: inout RandomGenerator) {
        linear1 = Linear(model, options.feedForwardDim, generator: &generator)
        dropout = Dropout(probability: options.dropout, seed: generator.next())
        linear2 = Linear(options.feedForwardDim, model, generator: &generator)
        activation = options.activation
    }

    func register(on owner: Module) {
        owner.register("linear1", linear1)
        owner.register("dropout", dropout)
        owner.register("linear2", linear2)
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        try linear2(dropout(activation.apply(linear1(x))))
    }
}

/// PyTorch `nn.TransformerEncoderLayer`: self-attention then feed-forward, each with a residual and
/// LayerNorm (`self_attn`, `linear1`, `linear2`, `norm1`, `norm2`).
public final class TransformerEncoderLayer: Module, Layer {
    public let selfAttention: MultiheadAttention
    public let norm1: LayerNorm
    public let norm2: LayerNorm
    let feedForward: FeedForward
    let dropout1: Dropout
    let dropout2: Dropout
    public let normFirst: Bool

    public init(model: Int, heads: Int, options: TransformerLayerOptions = .init(), generator: inout RandomGenerator) {
        selfAttention = MultiheadAttention(embedDim: model, heads: heads, batchFirst: options.batchFirst,
                                           dropout: options.dropout, generator: &generator)
        feedForward = FeedForward(model: model, options: options, generator: &generator)
        norm1 = LayerNorm([model], epsilon: options.layerNormEpsilon)
        norm2 = LayerNorm([model], epsilon: options.layerNormEpsilon)
        dropout1 = Dropout(probability: options.dropout, seed: generator.next())
        dropout2 = Dropout(probability: options.dropout, seed: generator.next())
        normFirst = options.normFirst
        super.init()
        register("self_attn", selfAttention)
        feedForward.register(on: self)
        register("norm1", norm1)
        register("norm2", norm2)
        register("dropout1", dropout1)
        register("dropout2", dropout2)
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor { try self(input, keyPaddingMask: nil) }

    /// `keyPaddingMask` `[N, S]` (true = padding), `attentionMask` `[S, S]` as in `MultiheadAttention`.
    public func callAsFunction(_ source: Tensor, keyPaddingMask: Tensor?, attentionMask: Tensor? = nil) throws -> Tensor {
        func attention(_ x: Tensor) throws -> Tensor {
            try dropout1(selfAttention(x, x, x, keyPaddingMask: keyPaddingMask, attentionMask: attentionMask))
        }
        var x = source
        if normFirst {
            x = try x + attention(norm1(x))
            x = try x + dropout2(feedForward(norm2(x)))
        } else {
            x = try norm1(x + attention(x))
            x = try norm2(x + dropout2(feedForward(x)))
        }
        return x
    }
}

/// PyTorch `nn.TransformerDecoderLayer`: masked self-attention, cross-attention to `memory`, feed-forward
/// (`self_attn`, `multihead_attn`, `linear1`, `linear2`, `norm1`…`norm3`).
public final class TransformerDecoderLayer: Module {
    public let selfAttention: MultiheadAttention
    public let crossAttention: MultiheadAttention
    public let norm1: LayerNorm
    public let norm2: LayerNorm
    public let norm3: LayerNorm
    let feedForward: FeedForward
    let dropout1: Dropout
    let dropout2: Dropout
    let dropout3: Dropout
    public let normFirst: Bool

    public init(model: Int, heads: Int, options: TransformerLayerOptions = .init(), generator: inout RandomGenerator) {
        selfAttention = MultiheadAttention(embedDim: model, heads: heads, batchFirst: options.batchFirst,
                                           dropout: options.dropout, generator: &generator)
        crossAttention = MultiheadAttention(embedDim: model, heads: heads, batchFirst: options.batchFirst,
                                            dropout: options.dropout, generator: &generator)
        feedForward = FeedForward(model: model, options: options, generator: &generator)
        norm1 = LayerNorm([model], epsilon: options.layerNormEpsilon)
        norm2 = LayerNorm([model], epsilon: options.layerNormEpsilon)
        norm3 = LayerNorm([model], epsilon: options.layerNormEpsilon)
        dropout1 = Dropout(probability: options.dropout, seed: generator.next())
        dropout2 = Dropout(probability: options.dropout, seed: generator.next())
        dropout3 = Dropout(probability: options.dropout, seed: generator.next())
        normFirst = options.normFirst
        super.init()
        register("self_attn", selfAttention)
        register("multihead_attn", crossAttention)
        feedForward.register(on: self)
        register("norm1", norm1)
        register("norm2", norm2)
        register("norm3", norm3)
        register("dropout1", dropout1)
        register("dropout2", dropout2)
        register("dropout3", dropout3)
    }

    /// `targetMask` `[T, T]` (e.g. causal), `memoryMask` `[T, S]`; padding masks `[N, T]` / `[N, S]`.
    public func callAsFunction(_ target: Tensor, memory: Tensor, targetMask: Tensor? = nil, memoryMask: Tensor? = nil,
                               targetKeyPaddingMask: Tensor? = nil, memoryKeyPaddingMask: Tensor? = nil) throws -> Tensor {
        func selfBlock(_ x: Tensor) throws -> Tensor {
            try dropout1(selfAttention(x, x, x, keyPaddingMask: targetKeyPaddingMask, attentionMask: targetMask))
        }
        func crossBlock(_ x: Tensor) throws -> Tensor {
            try dropout2(crossAttention(x, memory, memory, keyPaddingMask: memoryKeyPaddingMask, attentionMask: memoryMask))
        }
        var x = target
        if normFirst {
            x = try x + selfBlock(norm1(x))
            x = try x + crossBlock(norm2(x))
            x = try x + dropout3(feedForward(norm3(x)))
        } else {
            x = try norm1(x + selfBlock(x))
            x = try norm2(x + crossBlock(x))
            x = try norm3(x + dropout3(feedForward(x)))
        }
        return x
    }
}
