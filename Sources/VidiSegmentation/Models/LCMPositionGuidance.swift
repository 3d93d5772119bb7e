import VidiNN
import VidiTensor

// The second version of Vidi's LCM position consistency (weights `lcm_guidance.*`; LCM.swift has the
// first). The first version fed the location response to the readout only as one extra input channel of a
// zero-initialised 3x3 convolution, so it did nothing until trained, and the decoder had to learn to trust
// it over an appearance match that is the same for a target and its copy: 300 fine-tune steps weakened the
// positional term instead (scale 8 -> 6.3) and LCM did not help on the distractor set (BENCHMARKS.md, "LCM
// on the distractor set"). The paper's purpose for position consistency is to keep the target where it was
// and suppress a look-alike far from it; this module does exactly that, on the output:
//
//   bias_k = strength x log((near_k + floor) / (max near_k + floor)),   near_k = maxpool3x3(response_k)
//
// added to object k's decoder logit (upsampled x16 to the logits' size) before the sigmoid and STM's soft
// aggregation. `response_k` is the position-consistency response (LCMPositionConsistency.response: the
// previous frame's probabilities carried through a position-sensitive match of the current keys against
// the previous ones): about 1 where the object was a frame ago (or moved to, if its appearance followed), about 0
// on a look-alike elsewhere, whose own previous position was background. Why each piece:
// - log of a ratio to the object's peak: the bias is 0 at the object's most likely place and at most
//   strength x log(floor / (1 + floor)) (-6.1 at the initial strength 2, odds x 0.002) far from it. It only
//   suppresses, never invents an object, and a small object (a peak response well under 1 at 1/16, whose
//   pooled probabilities are fractions of a cell) is not penalised at its own place.
// - an object that left the picture has a response near 0 everywhere: the ratio is then near 1 everywhere
//   and the bias vanishes, so a returning object is found by the plain memory read, not locked out.
// - the 3x3 max-pool at 1/16 tolerates a cell of motion and the coarse map at object edges (one cell is 16
//   pixels); a look-alike a quarter of the frame away (3 cells on the 12-cell-wide evaluation maps) is
//   still far.
// - `strength` is learnable and starts at 2, so the guidance acts from the first step (the bundled model
//   with it and nothing else trained is measured in BENCHMARKS.md).
// Training adds a loss on the response itself (`responseLoss`): binary cross-entropy against the current
// frame's true masks pooled to 1/16, so the keys and the positional scale are taught to carry the object
// from frame to frame rather than only through the decoder.
// Measured (BENCHMARKS.md, "LCM with direct position guidance"): on the look-alike set, +4.9 +- 1.2 J&F
// points at step 0 (the bundled model plus the guidance, nothing trained), and +15.2 +- 3.0 over the
// equal-footing control after a 300-step fine-tune, which raised `strength` to 2.6 and the positional scale
// to 8.5 (the first version's fine-tune had lowered the scale).

/// LCM's direct position guidance: a per-object logit bias from the location response.
public final class LCMPositionGuidance: Module {
    let strength: Parameter

    /// See the file comment: -6.1 in the logit at most, 0 at the object's peak response.
    static let initialStrength: Float = 2
    /// Keeps the log finite and bounds the suppression (a fixed design constant, not learned).
    static let floor: Float = 0.05

    override init() {
        strength = Parameter(Tensor.full([1], value: Self.initialStrength))
        super.init()
        register("strength", strength)
    }

    /// `[K, 1, 16 h, 16 w]` logit bias (<= 0) from the location response `[K, 1, h, w]`.
    public func logitBias(response: Tensor) throws -> Tensor {
        let near = try response.maxPool2d(kernelSize: [3], stride: [1], padding: [1])
        let peak = try near.max(axes: [2, 3], keepDims: true)
        let relative = try (near + Self.floor) / (peak + Self.floor)
        return try relative.interpolate(scaleFactor: [16, 16], mode: .bilinear, alignCorners: false).log() * strength.value
    }

    /// Binary cross-entropy (mean over objects and 1/16 positions) of the location response `[K, 1, h, w]`
    /// against the current frame's masks pooled to 1/16 (`[K, 1, h, w]`, soft at object edges).
    public static func responseLoss(response: Tensor, target: Tensor) throws -> Tensor {
        let r = try response.clamp(min: 1e-6, max: 1 - 1e-6)
        return try (target * r.log() + (1 - target) * (1 - r).log()).mean().negated()
    }
}
