/// Convolutions with `torch.nn.functional.conv{1,2,3}d` / `conv_transpose{1,2,3}d` semantics (cross-correlation,
/// zero padding, batched input `[N, C, spatial…]`). Per-axis arguments take one value for every axis or one
/// per spatial axis. Float32; gradients for input, weight and bias.
extension Tensor {
    /// 1-D convolution of `[N, C_in, W]` with weight `[C_out, C_in / groups, kW]`.
    public func conv1d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                       dilation: Int = 1, groups: Int = 1) throws -> Tensor {
        try convolution(weight: weight, bias: bias, spatialRank: 1, stride: [stride], padding: [padding],
                        dilation: [dilation], groups: groups, op: "conv1d")
    }

    /// 2-D convolution of `[N, C_in, H, W]` with weight `[C_out, C_in / groups, kH, kW]`.
    public func conv2d(weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1], padding: [Int] = [0],
                       dilation: [Int] = [1], groups: Int = 1) throws -> Tensor {
        try convolution(weight: weight, bias: bias, spatialRank: 2, stride: stride, padding: padding,
                        dilation: dilation, groups: groups, op: "conv2d")
    }

    /// 3-D convolution of `[N, C_in, D, H, W]` with weight `[C_out, C_in / groups, kD, kH, kW]`.
    public func conv3d(weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1], padding: [Int] = [0],
                       dilation: [Int] = [1], groups: Int = 1) throws -> Tensor {
        try convolution(weight: weight, bias: bias, spatialRank: 3, stride: stride, padding: padding,
                        dilation: dilation, groups: groups, op: "conv3d")
    }

    /// Transposed 1-D convolution of `[N, C_in, W]` with weight `[C_in, C_out / groups, kW]`.
    public func convTranspose1d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                                outputPadding: Int = 0, dilation: Int = 1, groups: Int = 1) throws -> Tensor {
        try convolutionTransposed(weight: weight, bias: bias, spatialRank: 1, stride: [stride], padding: [padding],
                                  outputPadding: [outputPadding], dilation: [dilation], groups: groups, op: "convTranspose1d")
    }

    /// Transposed 2-D convolution of `[N, C_in, H, W]` with weight `[C_in, C_out / groups, kH, kW]`.
    public func convTranspose2d(weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1], padding: [Int] = [0],
                                outputPadding: [Int] = [0], dilation: [Int] = [1], groups: Int = 1) throws -> Tensor {
        try convolutionTransposed(weight: weight, bias: bias, spatialRank: 2, stride: stride, padding: padding,
                                  outputPadding: outputPadding, dilation: dilation, groups: groups, op: "convTranspose2d")
    }

    /// Transposed 3-D convolution of `[N, C_in, D, H, W]` with weight `[C_in, C_out / groups, kD, kH, kW]`.
    public func convTranspose3d(weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1], padding: [Int] = [0],
                                outputPadding: [Int] = [0], dilation: [Int] = [1], groups: Int = 1) throws -> Tensor {
        try convolutionTransposed(weight: weight, bias: bias, spatialRank: 3, stride: stride, padding: padding,
                                  outputPadding: outputPadding, dilation: dilation, groups: groups, op: "convTranspose3d")
    }

    private func convolution(weight: Tensor, bias: Tensor?, spatialRank: Int, stride: [Int], padding: [Int],
                             dilation: [Int], groups: Int, op: String) throws -> Tensor {
        let g = try ConvGeometry(input: self, weight: weight, bias: bias, spatialRank: spatialRank, stride: stride,
                                 padding: padding, dilation: dilation, groups: groups, op: op)
        let x = detached().contiguousData(), w = weight.detached().contiguousData()
        let out = CPUKernels.convolution(x, weight: w, bias: bias?.detached().contiguousData(), g)
        let (needX, needW, needB) = (requiresGrad, weight.requiresGrad, bias?.requiresGrad ?? false)
        let inputs = [self, weight] + (bias.map { [$0] } ?? [])
        return Autograd.record(out, op: op, inputs: inputs) { gradOutput in
            let gOut = gradOutput.contiguousData()
            var grads: [Tensor?] = [needX ? CPUKernels.convolutionInputGradient(gOut, weight: w, g) : nil,
                                    needW ? CPUKernels.convolutionWeightGradient(x, gradOutput: gOut, g) : nil]
            if inputs.count == 3 { grads.append(needB ? CPUKernels.channelSums(gOut, channels: g.outChannels) : nil) }
            return grads
        }
    }

    /// The adjoint of `convolution`: runs a convolution geometry whose output is this tensor backwards.
    private func convolutionTransposed(weight: Tensor, bias: Tensor?, spatialRank: Int, stride: [Int], padding: [Int],
                                       outputPadding: [Int], dilation: [Int], groups: Int, op: String) throws -> Tensor {
        let layout = ["[N, C, W]", "[N, C, H, W]", "[N, C, D, H, W]"][spatialRank - 1]
        try SpatialArguments.requireBatchedFloat(self, spatialRank: spatialRank, op: op, layout: layout)
        try SpatialArguments.requireBatchedFloat(weight, spatialRank: spatialRank, op: op, layout: "a weight [C_in, C_out / groups, kernel…]")
        guard groups >= 1 else { throw TensorError.invalidArgument(op: op, reason: "groups \(groups) must be ≥ 1") }
        let inChannels = shape[1]
        guard weight.shape[0] == inChannels, inChannels % groups == 0 else {
            throw TensorError.invalidArgument(op: op, reason: "input \(shape) and weight \(weight.shape) do not fit groups = \(groups) (weight.shape[0] = C_in, divisible by groups)")
        }
        let outChannels = weight.shape[1] * groups
        if let bias {
            guard bias.dtype == .float32 else { throw TensorError.dtypeMismatch(op: op, expected: .float32, actual: bias.dtype) }
            guard bias.shape == [outChannels] else { throw TensorError.shapeMismatch(op: "\(op) bias", lhs: bias.shape, rhs: [outChannels]) }
        }
        let kernel = Array(weight.shape.suffix(spatialRank))
        guard kernel.allSatisfy({ $0 >= 1 }) else { throw TensorError.invalidArgument(op: op, reason: "weight \(weight.shape) has an empty kernel") }
        let s = try SpatialArguments.expand(stride, rank: spatialRank, name: "stride", op: op, minimum: 1)
        let p = try SpatialArguments.expand(padding, rank: spatialRank, name: "padding", op: op, minimum: 0)
        let d = try SpatialArguments.expand(dilation, rank: spatialRank, name: "dilation", op: op, minimum: 1)
        let extra = try SpatialArguments.expand(outputPadding, rank: spatialRank, name: "outputPadding", op: op, minimum: 0)
        let spatial = Array(shape.suffix(spatialRank))
        var outSize: [Int] = []
        for axis in 0..<spatialRank {
            guard extra[axis] < Swift.max(s[axis], d[axis]) else {
                throw TensorError.invalidArgument(op: op, reason: "outputPadding \(outputPadding) must be smaller than stride \(s) or dilation \(d)")
            }
            let size = (spatial[axis] - 1) * s[axis] - 2 * p[axis] + d[axis] * (kernel[axis] - 1) + extra[axis] + 1
            guard size >= 1 else {
                throw TensorError.invalidArgument(op: op, reason: "input \(shape) with kernel \(kernel), stride \(s), padding \(p) gives an empty output")
            }
            outSize.append(size)
        }
        // The convolution that maps the transposed output back to this input.
        let g = ConvGeometry(spatialRank: spatialRank, batch: shape[0], inChannels: outChannels, outChannels: inChannels,
                             groups: groups, input: SpatialArguments.lift(outSize, fill: 1),
                             kernel: SpatialArguments.lift(kernel, fill: 1), output: SpatialArguments.lift(spatial, fill: 1),
                             stride: SpatialArguments.lift(s, fill: 1), padding: SpatialArguments.lift(p, fill: 0),
                             dilation: SpatialArguments.lift(d, fill: 1))
        let x = detached().contiguousData(), w = weight.detached().contiguousData()
        var out = CPUKernels.convolutionInputGradient(x, weight: w, g)
        if let bias { out = try out + bias.detached().reshaped([outChannels] + [Int](repeating: 1, count: spatialRank)) }
        let (needX, needW, needB) = (requiresGrad, weight.requiresGrad, bias?.requiresGrad ?? false)
        let inputs = [self, weight] + (bias.map { [$0] } ?? [])
        return Autograd.record(out, op: op, inputs: inputs) { gradOutput in
            let gOut = gradOutput.contiguousData()
            var grads: [Tensor?] = [needX ? CPUKernels.convolution(gOut, weight: w, bias: nil, g) : nil,
                                    needW ? CPUKernels.convolutionWeightGradient(gOut, gradOutput: x, g) : nil]
            if inputs.count == 3 { grads.append(needB ? CPUKernels.channelSums(gOut, channels: outChannels) : nil) }
            return grads
        }
    }
}
