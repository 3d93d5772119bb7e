// Linear-probe evaluation of pretext features (the standard protocol of self-supervised video papers,
// e.g. MoSI and CMD's linear evaluation): the pretrained clip encoder is frozen (evaluation mode, no
// gradients) and only a linear classifier on its pooled features is trained.
import VidiNN
import VidiTensor

public final class LinearProbe: Module {
    public let backbone: PretextBackbone
    public let fc: Linear

    /// A probe over `backbone` with `classes` outputs; `checkpoint` (a `vidi train mosi|hico|cmd` output)
    /// fills the backbone, nil keeps it randomly initialised (the baseline).
    public init(_ configuration: PretextBackboneConfiguration, classes: Int, checkpoint: String?, generator: inout RandomGenerator) throws {
        backbone = try PretextBackbone(configuration, generator: &generator)
        fc = Linear(backbone.width, classes, generator: &generator)
        super.init()
        register("encoder", backbone)
        register("fc", fc)
        if let checkpoint {
            let tensors = try Safetensors.read(path: checkpoint)
            var weights: [String: Tensor] = [:]
            for (key, value) in tensors {
                for prefix in ["encoder.", "clip_encoder."] where key.hasPrefix(prefix + "backbone.") {
                    weights[String(key.dropFirst(prefix.count))] = value
                }
            }
            guard !weights.isEmpty else {
                throw PretextError.unsupportedInput("\(checkpoint) holds no encoder.backbone.* or clip_encoder.backbone.* weights")
            }
            try backbone.loadStateDict(weights)
        }
        for parameter in backbone.parameters { parameter.requiresGrad = false }
    }

    /// Logits [N, classes] of uint8 clips [N, T, H, W, 3]; the backbone always runs in evaluation mode.
    public func callAsFunction(_ clips: Tensor) throws -> Tensor {
        backbone.eval()
        let features = try backbone(backbone.input(clips)).detached()
        return try fc(features)
    }
}
