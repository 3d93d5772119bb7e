import Foundation
import VidiNN
import VidiTensor

// LCM ("Learning position and target consistency for memory-based video object segmentation", CVPR 2021)
// has no public code. This is Vidi's design from the paper's description, built on top of the STCN
// readout so either memory (grow or rde) works with it. Its weights live under `lcm_position.*` and
// `lcm_object.*`; a checkpoint without them is a plain STCN / RDE-VOS one.
//
// - Position consistency (`lcm_position`): the query and the previous frame are matched position-
//   sensitively: STCN's L2 affinity of their keys plus a positional term, softmax over the previous
//   frame's positions. The positional term is what adding a 2-D sinusoidal encoding p (DETR-style: half
//   the channels encode the row, half the column) to both keys gives when the encoding lies in channels of
//   its own: -scale x |p_query - p_previous|^2, so the appearance part stays exactly the global read's
//   match. Positions are normalised to (0, pi) over the frame (DETR uses (0, 2 pi]): the fastest channel
//   pair then never wraps within the frame, so the distance grows monotonically with the offset and
//   opposite edges never look close. The previous frame's object probabilities (average-pooled to 1/16)
//   are carried through that match: a location response per object that is high where the object was a
//   frame ago and low on a look-alike elsewhere. `fuse` (3x3 conv on [readout || response], zero at
//   initialisation) adds it to the readout.
// - Object relation (`lcm_object`): each object's first-frame embedding is the mask-weighted mean of its
//   first memory value. A gate sigmoid(temperature x cos(readout, embedding) + bias) decides per pixel how
//   much of `proj(embedding)` (a linear map, zero at initialisation) joins the readout, keeping the target
//   consistent with what it looked like when it was given.
// - Position guidance (`lcm_guidance`, second version, LCMPositionGuidance.swift): the location response
//   also biases each object's decoder logit before soft aggregation, suppressing a look-alike far from
//   where the object was, from the first step; training adds a loss on the response itself. Checkpoints of
//   the first version (without `lcm_guidance.*`) load and run without it.
// Zero initialisation of `fuse` and `proj` means they change nothing until LCM is trained; to learn in a
// short fine-tune the LCM parameters need a larger learning rate than the trained network
// (`ScaledGroupOptimizer`, `vidi train vos --lcm-lr-scale`).

/// The position-consistency module.
public final class LCMPositionConsistency: Module {
    let scale: Parameter
    let fuse: Conv2d

    /// The positional term's initial weight. For an offset of a fraction u of the frame along one axis,
    /// |p_a - p_b|^2 is about 2 (1 - cos(pi u)) + 2 (1 - cos(pi u / sqrt(10))): 0.17 at u = 1/8, 0.65 at
    /// u = 1/4, 2.3 at u = 1/2. With 8, a look-alike a quarter of the frame away loses 5.2 in the logit
    /// (its weight x 0.005) while frame-to-frame motion of an eighth of the frame costs 1.3 (x 0.26), so
    /// position decides between look-alikes from the first step instead of being swamped by the
    /// appearance term. (The first design, unnormalised positions and scale 1, gave a positional term of
    /// at most 2.4 on the 12 x 8 map of the 192x128 evaluation sets, not even monotone in the offset: 0.87
    /// at 3 cells along a row, 0.55 at 6.) It stays learnable.
    static let initialScale: Float = 8

    /// The last map size's distance table (`squaredDistances`): the same for every frame of a video.
    private var distanceTable: (size: [Int], distances: Tensor)?

    init(valueDim: Int, generator: inout RandomGenerator) {
        scale = Parameter(Tensor.full([1], value: Self.initialScale))
        fuse = Conv2d(valueDim + 1, valueDim, kernelSize: [3], padding: [1], generator: &generator)
        super.init()
        fuse.weight.value = Tensor.zeros(fuse.weight.shape).requiresGrad()
        fuse.bias?.value = Tensor.zeros([valueDim]).requiresGrad()
        register("scale", scale)
        register("fuse", fuse)
    }

    /// `[C, h, w]` sinusoidal encoding of positions normalised to (0, pi): channels [0, C/2) the row,
    /// [C/2, C) the column; pair k has frequency 10000^(-2k / (C/2)).
    static func encoding(channels: Int, height: Int, width: Int) -> Tensor {
        let half = channels / 2
        return Tensor(unsafeUninitializedShape: [channels, height, width]) { out in
            for c in 0..<channels {
                let local = c < half ? c : c - half
                let span = c < half ? half : channels - half
                let frequency = 1 / Foundation.pow(10000, Double(2 * (local / 2)) / Double(max(span, 1)))
                for y in 0..<height {
                    for x in 0..<width {
                        let normalised = c < half ? (Double(y) + 0.5) / Double(height) : (Double(x) + 0.5) / Double(width)
                        let position = normalised * Double.pi * frequency
                        out[(c * height + y) * width + x] = Float(local % 2 == 0 ? Foundation.sin(position) : Foundation.cos(position))
                    }
                }
            }
        }
    }

    /// `[hw, hw]` squared distances |p_i - p_j|^2 between the encodings of positions i and j (row-major).
    static func squaredDistances(channels: Int, height: Int, width: Int) throws -> Tensor {
        let p = try encoding(channels: channels, height: height, width: width).reshaped([channels, height * width])
        let squares = try (p * p).sum(axis: 0, keepDims: true)  // [1, hw]
        return try squares.transposed() + squares - p.transposed().matmul(p) * 2
    }

    private func distances(channels: Int, height: Int, width: Int) throws -> Tensor {
        let size = [channels, height, width]
        if let table = distanceTable, table.size == size { return table.distances }
        let distances = try Self.squaredDistances(channels: channels, height: height, width: width)
        distanceTable = (size, distances)
        return distances
    }

    /// Location response `[K, 1, h, w]` from the query key, the previous key (`[1, CK, h, w]`) and the
    /// previous probabilities at 1/16 (`[K, 1, h, w]`).
    public func response(queryKey: Tensor, previousKey: Tensor, previousProbabilities: Tensor) throws -> Tensor {
        let (ck, h, w) = (queryKey.shape[1], queryKey.shape[2], queryKey.shape[3])
        let appearance = try MemoryRead.affinity(memoryKeys: previousKey.reshaped([ck, h * w]), queryKeys: queryKey.reshaped([ck, h * w]))
        // Symmetric, so rows (previous positions) and columns (query positions) need no transpose.
        let distances = try distances(channels: ck, height: h, width: w)
        let weights = try (appearance - distances * scale.value).softmax(axis: 0)
        let k = previousProbabilities.shape[0]
        return try previousProbabilities.reshaped([k, h * w]).matmul(weights).reshaped([k, 1, h, w])
    }

    /// readout + fuse([readout || response]).
    public func apply(readout: Tensor, response: Tensor) throws -> Tensor {
        try readout + fuse(Tensor.concatenate([readout, response], axis: 1))
    }
}

/// The object-relation module.
public final class LCMObjectRelation: Module {
    let temperature: Parameter
    let bias: Parameter
    let proj: Linear

    init(valueDim: Int, generator: inout RandomGenerator) {
        temperature = Parameter(Tensor.full([1], value: Float(5)))
        bias = Parameter(Tensor.full([1], value: Float(0)))
        proj = Linear(valueDim, valueDim, generator: &generator)
        super.init()
        proj.weight.value = Tensor.zeros(proj.weight.shape).requiresGrad()
        proj.bias?.value = Tensor.zeros([valueDim]).requiresGrad()
        register("temperature", temperature)
        register("bias", bias)
        register("proj", proj)
    }

    /// Mask-weighted mean `[K, CV]` of first-frame values `[K, CV, h, w]` with masks at 1/16 `[K, 1, h, w]`.
    public static func embedding(values: Tensor, masks: Tensor) throws -> Tensor {
        let weighted = try (values * masks).sum(axes: [2, 3])
        let area = try masks.sum(axes: [2, 3]).clamp(min: 1e-6)
        return try weighted / area
    }

    /// readout + gate x proj(embedding), gate = sigmoid(temperature x cos(readout, embedding) + bias).
    public func apply(readout: Tensor, embedding: Tensor) throws -> Tensor {
        let (k, cv) = (readout.shape[0], readout.shape[1])
        let e = try embedding.reshaped([k, cv, 1, 1])
        let dot = try (readout * e).sum(axis: 1, keepDims: true)
        let norms = try ((readout * readout).sum(axis: 1, keepDims: true) * (e * e).sum(axis: 1, keepDims: true)).sqrt().clamp(min: 1e-6)
        let gate = try (dot / norms * temperature.value + bias.value).sigmoid()
        return try readout + gate * proj(embedding).reshaped([k, cv, 1, 1])
    }
}

/// The LCM modules, as the network holds them.
public struct LCMModules {
    public let position: LCMPositionConsistency
    public let object: LCMObjectRelation
    /// The direct position guidance (nil in first-version checkpoints).
    public let guidance: LCMPositionGuidance?

    /// The LCM-refined readout `[K, CV, h, w]` and the location response `[K, 1, h, w]` it used.
    public func refine(readout: Tensor, queryKey: Tensor, previousKey: Tensor, previousProbabilities: Tensor,
                       firstEmbedding: Tensor) throws -> (readout: Tensor, response: Tensor) {
        let response = try position.response(queryKey: queryKey, previousKey: previousKey,
                                             previousProbabilities: previousProbabilities)
        let positioned = try position.apply(readout: readout, response: response)
        return (try object.apply(readout: positioned, embedding: firstEmbedding), response)
    }

    /// The guidance's logit bias for `[K, 1, h, w]` responses, nil without guidance.
    public func logitBias(responses: Tensor) throws -> Tensor? {
        try guidance?.logitBias(response: responses)
    }

    /// `[K, 1, H', W']` probabilities at the padded input size -> `[K, 1, H'/16, W'/16]`.
    public static func downsample(_ probabilities: Tensor) throws -> Tensor {
        try probabilities.avgPool2d(kernelSize: [16])
    }
}
