import VidiNN
import VidiTensor

/// DRL's end-to-end training step (foolwood/DRL `DRL.forward`): CLIP encodes the captions' tokens and the
/// clips' frames, the temporal aggregator runs, and the loss is the symmetric cross-entropy on
/// `exp(logit_scale) · sim` plus `λ · CDCR`. A narrow seam: batches in, loss out; the shared training
/// runtime (shards, schedules, checkpoints with resume) plugs in around it.
public final class RetrievalTrainer {
    public struct Options: Sendable {
        public var learningRate: Float = 1e-3
        public var interaction: Interaction = .wti
        public var cdcr = ChannelDecorrelation(alpha1: 0.14, alpha2: 0)
        public var cdcrLambda: Float = 0.001
        public var maxTokens = 32
        public var maxGradientNorm: Float = 1
        public init() {}
    }

    public let model: DRLModel
    public let options: Options
    let optimizer: AdamW

    public init(model: DRLModel, options: Options = .init()) throws {
        self.model = model
        self.options = options
        optimizer = try AdamW(model.parameters, learningRate: options.learningRate, weightDecay: 0.01)
    }

    public var learningRate: Float {
        get { optimizer.learningRate }
        set { optimizer.learningRate = newValue }
    }

    /// One step on a batch: `images` `[B, F, 3, R, R]` preprocessed frames with `frameMask` `[B, F]`,
    /// token `ids` `[B, L]` with `textMask` `[B, L]` (pair i is text i and clip i). Returns the loss.
    @discardableResult
    public func step(images: Tensor, frameMask: Tensor, ids: Tensor, textMask: Tensor) throws -> Float {
        model.train()
        let loss = try self.loss(images: images, frameMask: frameMask, ids: ids, textMask: textMask)
        optimizer.zeroGrad()
        try loss.backward()
        try stepOptimizer()
        return try loss.item()
    }

    /// Applies the accumulated gradients (for callers that build their own loss), their global norm
    /// clipped to `options.maxGradientNorm`; a step whose gradients are not finite is skipped (CDCR's
    /// z-scores divide by per-channel standard deviations, which can be tiny early in training from scratch).
    @discardableResult
    public func stepOptimizer() throws -> Bool {
        let norm = try GradientClipping.clipByNorm(model.parameters, maxNorm: options.maxGradientNorm)
        guard norm.isFinite else { return false }
        try optimizer.step()
        return true
    }

    public func loss(images: Tensor, frameMask: Tensor, ids: Tensor, textMask: Tensor) throws -> Tensor {
        guard images.rank == 5 else { throw RetrievalError.shape("images must be [B, F, 3, R, R], got \(images.shape)") }
        let b = images.shape[0], f = images.shape[1]
        let text = try TokenFeatures(model.clip.encodeTextTokens(ids), mask: textMask, name: "caption tokens")
        let frames = try model.clip.encodeImage(images.reshaped([b * f] + Array(images.shape[2...])))
        let video = try TokenFeatures(frames.reshaped([b, f, frames.shape[1]]), mask: frameMask, name: "clip frames")
        return try model.loss(text: text, video: video, interaction: options.interaction, cdcr: options.cdcr, lambda: options.cdcrLambda)
    }
}
