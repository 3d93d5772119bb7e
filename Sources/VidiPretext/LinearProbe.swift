// Linear-probe evaluation of pretext features (the standard protocol of self-supervised video papers,
// e.g. MoSI and CMD's linear evaluation): the pretrained clip encoder is frozen (evaluation mode, no
// gradients) and only a linear classifier on its pooled features is trained (`ProbeClassifier`).
import VidiNN
import VidiTensor

public final class LinearProbe {
    public let backbone: PretextBackbone

    /// The frozen encoder of `checkpoint` (a `vidi train mosi|hico|cmd` output, or one of its step-N
    /// training checkpoints, whose model keys start with `model.`); nil keeps it randomly initialised (the
    /// baseline).
    public init(_ configuration: PretextBackboneConfiguration, checkpoint: String?, generator: inout RandomGenerator) throws {
        backbone = try PretextBackbone(configuration, generator: &generator)
        if let checkpoint {
            let tensors = try Safetensors.read(path: checkpoint)
            var weights: [String: Tensor] = [:]
            for (key, value) in tensors {
                for prefix in ["encoder.", "clip_encoder.", "model.encoder.", "model.clip_encoder."] where key.hasPrefix(prefix + "backbone.") {
                    weights[String(key.dropFirst(prefix.count))] = value
                }
            }
            guard !weights.isEmpty else {
                throw PretextError.unsupportedInput("\(checkpoint) holds no encoder.backbone.* or clip_encoder.backbone.* weights")
            }
            try backbone.loadStateDict(weights)
        }
        for parameter in backbone.parameters { parameter.requiresGrad = false }
        // BatchNorm uses the running statistics the checkpoint saved (identity for a fresh backbone).
        backbone.eval()
    }

    /// Pooled last-stage features [N, C] of uint8 clips [N, T, H, W, 3], without gradients.
    public func features(_ clips: Tensor) throws -> Tensor {
        try withNoGrad { try backbone(backbone.input(clips)).detached() }
    }
}
