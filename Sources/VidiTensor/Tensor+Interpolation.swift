/// How `interpolate` computes values between input samples (PyTorch's `mode`).
public enum InterpolationMode: String, Sendable, CaseIterable {
    /// Nearest neighbour (`floor` of the scaled index), any of 1–3 spatial axes.
    case nearest
    /// 1-D linear, input `[N, C, W]`.
    case linear
    /// 2-D bilinear, input `[N, C, H, W]`.
    case bilinear
    /// 3-D trilinear, input `[N, C, D, H, W]`.
    case trilinear
}

extension Tensor {
    /// Resizes the spatial axes of `[N, C, spatial…]` like `torch.nn.functional.interpolate`: give either the
    /// output `size` or a `scaleFactor` (output = ⌊input · scale⌋, and the scale itself maps coordinates, as
    /// PyTorch does without `recompute_scale_factor`). `alignCorners` applies to the linear modes only
    /// (default false) and must be nil for `.nearest`. One value in `size`/`scaleFactor` applies to every axis.
    public func interpolate(size: [Int]? = nil, scaleFactor: [Double]? = nil, mode: InterpolationMode = .nearest,
                            alignCorners: Bool? = nil) throws -> Tensor {
        let op = "interpolate(\(mode.rawValue))"
        try requireFloat(op)
        guard rank >= 3, rank <= 5 else {
            throw TensorError.invalidArgument(op: op, reason: "input of shape \(shape) is not [N, C, W], [N, C, H, W] or [N, C, D, H, W]")
        }
        let spatialRank = rank - 2
        let required: Int? = [InterpolationMode.linear: 1, .bilinear: 2, .trilinear: 3][mode]
        if let required, required != spatialRank {
            throw TensorError.invalidArgument(op: op, reason: "\(mode.rawValue) needs \(required) spatial axes, input \(shape) has \(spatialRank)")
        }
        if mode == .nearest, alignCorners != nil {
            throw TensorError.invalidArgument(op: op, reason: "alignCorners only applies to the linear modes")
        }
        let spatial = Array(shape.suffix(spatialRank))
        guard spatial.allSatisfy({ $0 >= 1 }) else {
            throw TensorError.invalidArgument(op: op, reason: "input of shape \(shape) has an empty spatial axis")
        }
        let (outSize, scales) = try Self.resizeTarget(spatial: spatial, size: size, scaleFactor: scaleFactor, op: op)
        let axes = (0..<spatialRank).map { axis -> InterpolationAxis in
            let scale = scales?[axis]
            return mode == .nearest
                ? .nearest(input: spatial[axis], output: outSize[axis], scale: scale)
                : .linear(input: spatial[axis], output: outSize[axis], scale: scale, alignCorners: alignCorners ?? false)
        }
        let lifted = [InterpolationAxis](repeating: .unit, count: 3 - spatialRank) + axes
        let planes = shape[0] * shape[1], input = SpatialArguments.lift(spatial, fill: 1)
        let inShape = shape, outShape = Array(shape.prefix(2)) + outSize
        let out = try CPUKernels.resize(detached().contiguousData(), planes: planes, input: input, axes: lifted).reshaped(outShape)
        return Autograd.record(out, op: op, inputs: [self]) { g in
            [try CPUKernels.resizeBackward(g.contiguousData(), planes: planes, input: input, axes: lifted).reshaped(inShape)]
        }
    }

    /// The output size and, when given, the per-axis scale factors of a resize.
    private static func resizeTarget(spatial: [Int], size: [Int]?, scaleFactor: [Double]?, op: String) throws -> ([Int], [Double]?) {
        let rank = spatial.count
        switch (size, scaleFactor) {
        case (let size?, nil):
            return (try SpatialArguments.expand(size, rank: rank, name: "size", op: op, minimum: 1), nil)
        case (nil, let scale?):
            let scales = scale.count == 1 ? [Double](repeating: scale[0], count: rank) : scale
            guard scales.count == rank, scales.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw TensorError.invalidArgument(op: op, reason: "scaleFactor \(scale) needs 1 or \(rank) positive values")
            }
            let sizes = zip(spatial, scales).map { (Double($0) * $1).rounded(.down) }
            guard sizes.allSatisfy({ $0 >= 1 && $0 < 0x1p31 }) else {
                throw TensorError.invalidArgument(op: op, reason: "scaleFactor \(scale) gives output size \(sizes) for input size \(spatial)")
            }
            return (sizes.map { Int($0) }, scales)
        default:
            throw TensorError.invalidArgument(op: op, reason: "give exactly one of size and scaleFactor")
        }
    }
}
