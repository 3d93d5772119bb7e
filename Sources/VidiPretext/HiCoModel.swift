// HiCo's heads (reference/pretext.md): a visual projection MLP to 128-d (InfoNCE, tau 0.1) and a separate
// topical MLP to 128-d whose pairs go through Linear(256, 256), ReLU, Linear(256, 1) (focal BCE, gamma
// 0.5); total = VCL + TCL. After alibaba-mmai-research/TAdaConv's HiCo (projects/hico), on a PretextBackbone.
import VidiNN
import VidiTensor

public final class HiCoModel: Module {
    public let backbone: PretextBackbone
    public let visual: Sequential
    public let topical: Sequential
    public let pair1: Linear
    public let pair2: Linear

    public init(_ configuration: PretextBackboneConfiguration, dimension: Int = 128, generator: inout RandomGenerator) throws {
        backbone = try PretextBackbone(configuration, generator: &generator)
        let c = backbone.width
        visual = Sequential([Linear(c, c, generator: &generator), ReLU(), Linear(c, dimension, generator: &generator)])
        topical = Sequential([Linear(c, c, generator: &generator), ReLU(), Linear(c, dimension, generator: &generator)])
        pair1 = Linear(2 * dimension, 2 * dimension, generator: &generator)
        pair2 = Linear(2 * dimension, 1, generator: &generator)
        super.init()
        register("encoder", backbone)
        register("visual_head", visual)
        register("topical_head", topical)
        register("pair_fc1", pair1)
        register("pair_fc2", pair2)
    }

    /// (visual, topical, total) losses of triples [B, 3, T, H, W, 3] (B >= 2 videos).
    public func losses(triples: Tensor) throws -> (visual: Tensor, topical: Tensor, total: Tensor) {
        guard triples.rank == 6, triples.shape[0] >= 2, triples.shape[1] >= 2 else {
            throw PretextError.invalidArgument("HiCo batch needs clips [B >= 2, 3, T, H, W, 3], got \(triples.shape)")
        }
        let b = triples.shape[0], v = triples.shape[1]
        let features = try backbone(backbone.input(triples.reshaped([b * v] + Array(triples.shape.dropFirst(2)))))
        let z = try visual(features)
        let vcl = try PretextLosses.hicoVisual(projections: z.reshaped([b, v, z.shape[1]]))
        let logits = try PretextLosses.hicoPairLogits(features: topical(features), w1: pair1.weight.value, b1: pair1.bias?.value ?? Tensor.zeros([pair1.outFeatures]),
                                                      w2: pair2.weight.value, b2: pair2.bias?.value ?? Tensor.zeros([1]))
        let tcl = try PretextLosses.hicoTopical(pairLogits: logits, videos: (0..<(b * v)).map { $0 / v })
        return (vcl, tcl, try vcl + tcl)
    }
}
