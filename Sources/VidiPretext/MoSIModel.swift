// MoSI's classifier (reference/pretext.md: global average pool, dropout 0.5, linear to 9 classes,
// cross-entropy), after alibaba-mmai-research/TAdaConv's MoSI head (tadaconv/models/module_zoo/heads/
// mosi_head.py) on a PretextBackbone.
import VidiNN
import VidiTensor

public final class MoSIModel: Module, Layer {
    public let backbone: PretextBackbone
    public let dropout: Dropout
    public let fc: Linear

    public init(_ configuration: PretextBackboneConfiguration, classes: Int = 9, seed: UInt64, generator: inout RandomGenerator) throws {
        backbone = try PretextBackbone(configuration, generator: &generator)
        dropout = Dropout(probability: 0.5, seed: seed)
        fc = Linear(backbone.width, classes, generator: &generator)
        super.init()
        register("encoder", backbone)
        register("dropout", dropout)
        register("fc", fc)
    }

    /// Logits [N, classes] of uint8 clips [N, T, H, W, 3].
    public func callAsFunction(_ clips: Tensor) throws -> Tensor {
        try fc(dropout(backbone(backbone.input(clips))))
    }

    /// The loss of a batch of MoSI stacks: clips [B, 9, T, H, W, 3], labels [B, 9].
    public func loss(stacks: Tensor, labels: Tensor) throws -> Tensor {
        guard stacks.rank == 6, labels.shape == Array(stacks.shape.prefix(2)) else {
            throw PretextError.invalidArgument("MoSI batch needs clips [B, 9, T, H, W, 3] and labels [B, 9], got \(stacks.shape) and \(labels.shape)")
        }
        let n = stacks.shape[0] * stacks.shape[1]
        let clips = try stacks.reshaped([n] + Array(stacks.shape.dropFirst(2)))
        return try PretextLosses.mosi(logits: self(clips), labels: labels.reshaped([n]).to(.int64))
    }
}
