// HiCo's heads (reference/pretext.md): a visual projection MLP to 128-d (InfoNCE, tau 0.1) and a separate
// topical MLP to 128-d whose pairs go through Linear(256, 256), ReLU, Linear(256, 1) (focal BCE, gamma
// 0.5); total = VCL + TCL. After alibaba-mmai-research/TAdaConv's HiCo (projects/hico), on a PretextBackbone.
//
// `reversedNegatives` (not in the reference, off by default): each video's clip 0 played backwards joins the
// batch as a clip of its own video, a negative in both losses. Both reference losses only ask which clips
// share a video, which appearance (a video's background) answers without motion; the reversed clip has
// exactly clip 0's frames, so only the direction of time, i.e. of the motion, separates them
// (BENCHMARKS.md "Pretext linear probe", HiCo diagnosis).
import VidiNN
import VidiTensor

public final class HiCoModel: Module {
    public let backbone: PretextBackbone
    public let visual: Sequential
    public let topical: Sequential
    public let pair1: Linear
    public let pair2: Linear
    public let reversedNegatives: Bool

    public init(_ configuration: PretextBackboneConfiguration, dimension: Int = 128, reversedNegatives: Bool = false,
                generator: inout RandomGenerator) throws {
        self.reversedNegatives = reversedNegatives
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

    /// The backbone's input for triples [B, V, T, H, W, 3]: the B x V clips in order, then (with
    /// `reversedNegatives`) each video's clip 0 with its frames in reverse order, all in one batch so that
    /// BatchNorm normalises real and reversed clips together. [B x V (+ B), 3, frames, r, r].
    public func input(_ triples: Tensor) throws -> Tensor {
        guard triples.rank == 6 else { throw PretextError.invalidArgument("HiCo clips must be [B, V, T, H, W, 3], got \(triples.shape)") }
        let b = triples.shape[0], v = triples.shape[1]
        let clips = try backbone.input(triples.reshaped([b * v] + Array(triples.shape.dropFirst(2))))  // [B V, 3, T, r, r]
        guard reversedNegatives else { return clips }
        let frames = clips.shape[2]
        let firsts = try clips.indexSelect(axis: 0, indices: Tensor((0..<b).map { Int64($0 * v) }, shape: [b]))
        let reversed = try firsts.indexSelect(axis: 2, indices: Tensor((0..<frames).reversed().map { Int64($0) }, shape: [frames]))
        return try Tensor.concatenate([clips, reversed], axis: 0)
    }

    /// (visual, topical, total) losses of triples [B, 3, T, H, W, 3] (B >= 2 videos).
    public func losses(triples: Tensor) throws -> (visual: Tensor, topical: Tensor, total: Tensor) {
        guard triples.rank == 6, triples.shape[0] >= 2, triples.shape[1] >= 2 else {
            throw PretextError.invalidArgument("HiCo batch needs clips [B >= 2, 3, T, H, W, 3], got \(triples.shape)")
        }
        let b = triples.shape[0], v = triples.shape[1], n = b * v
        let features = try backbone(input(triples))                                            // [N (+ B), C]
        let z = try visual(features)
        let vcl = try PretextLosses.hicoVisual(projections: z.narrowed(axis: 0, start: 0, length: n).reshaped([b, v, z.shape[1]]),
                                               extraNegatives: reversedNegatives ? z.narrowed(axis: 0, start: n, length: b) : nil)
        let logits = try PretextLosses.hicoPairLogits(features: topical(features), w1: pair1.weight.value, b1: pair1.bias?.value ?? Tensor.zeros([pair1.outFeatures]),
                                                      w2: pair2.weight.value, b2: pair2.bias?.value ?? Tensor.zeros([1]))
        // A reversed clip is a video of its own: negative with every other clip, its source video's included.
        let videos = (0..<n).map { $0 / v } + (reversedNegatives ? Array(b..<(2 * b)) : [])
        let tcl = try PretextLosses.hicoTopical(pairLogits: logits, videos: videos)
        return (vcl, tcl, try vcl + tcl)
    }
}
