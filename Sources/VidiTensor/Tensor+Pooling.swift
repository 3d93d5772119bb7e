/// Max, average and adaptive pooling with `torch.nn.functional` semantics over `[N, C, spatial…]` or
/// `[C, spatial…]` inputs (kernel, stride — default the kernel —, padding, dilation, ceil mode, count_include_pad).
/// Float32; gradients flow to the input.
extension Tensor {
    public func maxPool1d(kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1, ceilMode: Bool = false) throws -> Tensor {
        try stridedPool(max: true, spatialRank: 1, kernel: [kernelSize], stride: stride.map { [$0] }, padding: [padding],
                        dilation: [dilation], ceilMode: ceilMode, countIncludePad: true, op: "maxPool1d")
    }

    public func maxPool2d(kernelSize: [Int], stride: [Int]? = nil, padding: [Int] = [0], dilation: [Int] = [1], ceilMode: Bool = false) throws -> Tensor {
        try stridedPool(max: true, spatialRank: 2, kernel: kernelSize, stride: stride, padding: padding,
                        dilation: dilation, ceilMode: ceilMode, countIncludePad: true, op: "maxPool2d")
    }

    public func maxPool3d(kernelSize: [Int], stride: [Int]? = nil, padding: [Int] = [0], dilation: [Int] = [1], ceilMode: Bool = false) throws -> Tensor {
        try stridedPool(max: true, spatialRank: 3, kernel: kernelSize, stride: stride, padding: padding,
                        dilation: dilation, ceilMode: ceilMode, countIncludePad: true, op: "maxPool3d")
    }

    public func avgPool1d(kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false, countIncludePad: Bool = true) throws -> Tensor {
        try stridedPool(max: false, spatialRank: 1, kernel: [kernelSize], stride: stride.map { [$0] }, padding: [padding],
                        dilation: [1], ceilMode: ceilMode, countIncludePad: countIncludePad, op: "avgPool1d")
    }

    public func avgPool2d(kernelSize: [Int], stride: [Int]? = nil, padding: [Int] = [0], ceilMode: Bool = false, countIncludePad: Bool = true) throws -> Tensor {
        try stridedPool(max: false, spatialRank: 2, kernel: kernelSize, stride: stride, padding: padding,
                        dilation: [1], ceilMode: ceilMode, countIncludePad: countIncludePad, op: "avgPool2d")
    }

    public func avgPool3d(kernelSize: [Int], stride: [Int]? = nil, padding: [Int] = [0], ceilMode: Bool = false, countIncludePad: Bool = true) throws -> Tensor {
        try stridedPool(max: false, spatialRank: 3, kernel: kernelSize, stride: stride, padding: padding,
                        dilation: [1], ceilMode: ceilMode, countIncludePad: countIncludePad, op: "avgPool3d")
    }

    public func adaptiveAvgPool1d(outputSize: Int) throws -> Tensor {
        try adaptivePool(max: false, spatialRank: 1, outputSize: [outputSize], op: "adaptiveAvgPool1d")
    }

    public func adaptiveAvgPool2d(outputSize: [Int]) throws -> Tensor {
        try adaptivePool(max: false, spatialRank: 2, outputSize: outputSize, op: "adaptiveAvgPool2d")
    }

    public func adaptiveAvgPool3d(outputSize: [Int]) throws -> Tensor {
        try adaptivePool(max: false, spatialRank: 3, outputSize: outputSize, op: "adaptiveAvgPool3d")
    }

    public func adaptiveMaxPool1d(outputSize: Int) throws -> Tensor {
        try adaptivePool(max: true, spatialRank: 1, outputSize: [outputSize], op: "adaptiveMaxPool1d")
    }

    public func adaptiveMaxPool2d(outputSize: [Int]) throws -> Tensor {
        try adaptivePool(max: true, spatialRank: 2, outputSize: outputSize, op: "adaptiveMaxPool2d")
    }

    public func adaptiveMaxPool3d(outputSize: [Int]) throws -> Tensor {
        try adaptivePool(max: true, spatialRank: 3, outputSize: outputSize, op: "adaptiveMaxPool3d")
    }

    /// The spatial sizes of a pooling input, after checking it is float32 `[N, C, spatial…]` or `[C, spatial…]`.
    private func poolSpatialShape(spatialRank: Int, op: String) throws -> [Int] {
        try requireFloat(op)
        guard rank == spatialRank + 1 || rank == spatialRank + 2 else {
            throw TensorError.invalidArgument(op: op, reason: "input of shape \(shape) needs rank \(spatialRank + 1) or \(spatialRank + 2) ([N,] C, spatial…)")
        }
        let spatial = Array(shape.suffix(spatialRank))
        guard spatial.allSatisfy({ $0 >= 1 }) else {
            throw TensorError.invalidArgument(op: op, reason: "input of shape \(shape) has an empty spatial axis")
        }
        return spatial
    }

    private func stridedPool(max: Bool, spatialRank: Int, kernel: [Int], stride: [Int]?, padding: [Int], dilation: [Int],
                             ceilMode: Bool, countIncludePad: Bool, op: String) throws -> Tensor {
        let spatial = try poolSpatialShape(spatialRank: spatialRank, op: op)
        let k = try SpatialArguments.expand(kernel, rank: spatialRank, name: "kernelSize", op: op, minimum: 1)
        let s = try stride.flatMap { $0.isEmpty ? nil : $0 }.map {
            try SpatialArguments.expand($0, rank: spatialRank, name: "stride", op: op, minimum: 1)
        } ?? k
        let p = try SpatialArguments.expand(padding, rank: spatialRank, name: "padding", op: op, minimum: 0)
        let d = try SpatialArguments.expand(dilation, rank: spatialRank, name: "dilation", op: op, minimum: 1)
        var axes: [PoolAxis] = []
        for axis in 0..<spatialRank {
            guard p[axis] <= k[axis] / 2 else {
                throw TensorError.invalidArgument(op: op, reason: "padding \(padding) must be at most half of kernelSize \(kernel)")
            }
            guard let size = PoolAxis.outputSize(input: spatial[axis], kernel: k[axis], stride: s[axis], padding: p[axis],
                                                 dilation: d[axis], ceilMode: ceilMode) else {
                throw TensorError.invalidArgument(op: op, reason: "kernelSize \(kernel) with dilation \(dilation) does not fit input \(shape) padded by \(padding)")
            }
            axes.append(.strided(input: spatial[axis], output: size, kernel: k[axis], stride: s[axis], padding: p[axis], dilation: d[axis]))
        }
        return try pooled(max: max, spatialRank: spatialRank, axes: axes, countIncludePad: countIncludePad, op: op)
    }

    private func adaptivePool(max: Bool, spatialRank: Int, outputSize: [Int], op: String) throws -> Tensor {
        let spatial = try poolSpatialShape(spatialRank: spatialRank, op: op)
        let size = try SpatialArguments.expand(outputSize, rank: spatialRank, name: "outputSize", op: op, minimum: 1)
        let axes = (0..<spatialRank).map { PoolAxis.adaptive(input: spatial[$0], output: size[$0]) }
        return try pooled(max: max, spatialRank: spatialRank, axes: axes, countIncludePad: false, op: op)
    }

    private func pooled(max: Bool, spatialRank: Int, axes: [PoolAxis], countIncludePad: Bool, op: String) throws -> Tensor {
        let spatial = Array(shape.suffix(spatialRank)), leading = Array(shape.dropLast(spatialRank))
        let g = PoolGeometry(planes: Shape.elementCount(leading), input: SpatialArguments.lift(spatial, fill: 1),
                             axes: [PoolAxis](repeating: .unit, count: 3 - spatialRank) + axes)
        let outShape = leading + axes.map(\.outputs)
        let inShape = shape
        let x = detached().contiguousData()
        if max {
            // Argmax indices only when a backward pass may read them.
            let (values, argmax) = CPUKernels.maxPool(x, g, recordArgmax: Autograd.isGradEnabled && requiresGrad)
            return Autograd.record(try values.reshaped(outShape), op: op, inputs: [self]) { gradOutput in
                [try CPUKernels.maxPoolBackward(gradOutput.contiguousData(), argmax: argmax, g).reshaped(inShape)]
            }
        }
        let values = CPUKernels.averagePool(x, g, countIncludePad: countIncludePad)
        return Autograd.record(try values.reshaped(outShape), op: op, inputs: [self]) { gradOutput in
            [try CPUKernels.averagePoolBackward(gradOutput.contiguousData(), g, countIncludePad: countIncludePad).reshaped(inShape)]
        }
    }
}
