import VidiTensor

/// What Conv1d, Conv2d and Conv3d share: PyTorch's `_ConvNd` parameters (`weight` `[out, in/groups, *kernel]`,
/// optional `bias` `[out]`), default init, and the per-axis geometry.
public class ConvolutionBase: Module {
    public let weight: Parameter
    public let bias: Parameter?
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: [Int]
    public let stride: [Int]
    public let padding: [Int]
    public let dilation: [Int]
    public let groups: Int

    init(spatialRank: Int, _ inChannels: Int, _ outChannels: Int, kernelSize: [Int], stride: [Int], padding: [Int],
         dilation: [Int], groups: Int, bias: Bool, generator: inout RandomGenerator) {
        func perAxis(_ values: [Int], _ name: String) -> [Int] {
            precondition(values.count == 1 || values.count == spatialRank, "\(name) needs 1 or \(spatialRank) values, got \(values)")
            return values.count == 1 ? Array(repeating: values[0], count: spatialRank) : values
        }
        precondition(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
                     "channels \(inChannels)→\(outChannels) must be divisible by groups \(groups)")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = perAxis(kernelSize, "kernel size")
        self.stride = perAxis(stride, "stride")
        self.padding = perAxis(padding, "padding")
        self.dilation = perAxis(dilation, "dilation")
        self.groups = groups
        let shape = [outChannels, inChannels / groups] + self.kernelSize
        weight = Parameter(Init.kaimingUniform(shape, generator: &generator))
        self.bias = bias ? Parameter(Init.fanInBias(outChannels, fanIn: Init.fans(shape).fanIn, generator: &generator)) : nil
        super.init()
        register("weight", weight)
        if let b = self.bias { register("bias", b) }
    }
}

/// 1-D convolution over `[N, C, W]` (PyTorch `nn.Conv1d`).
public final class Conv1d: ConvolutionBase, Layer {
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                dilation: Int = 1, groups: Int = 1, bias: Bool = true, generator: inout RandomGenerator) {
        super.init(spatialRank: 1, inChannels, outChannels, kernelSize: [kernelSize], stride: [stride], padding: [padding],
                   dilation: [dilation], groups: groups, bias: bias, generator: &generator)
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.conv1d(weight: weight.value, bias: bias?.value, stride: stride[0], padding: padding[0],
                         dilation: dilation[0], groups: groups)
    }
}

/// 2-D convolution over `[N, C, H, W]` (PyTorch `nn.Conv2d`); per-axis arguments take 1 or 2 values.
public final class Conv2d: ConvolutionBase, Layer {
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: [Int], stride: [Int] = [1], padding: [Int] = [0],
                dilation: [Int] = [1], groups: Int = 1, bias: Bool = true, generator: inout RandomGenerator) {
        super.init(spatialRank: 2, inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                   dilation: dilation, groups: groups, bias: bias, generator: &generator)
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.conv2d(weight: weight.value, bias: bias?.value, stride: stride, padding: padding,
                         dilation: dilation, groups: groups)
    }
}

/// 3-D convolution over `[N, C, D, H, W]` (PyTorch `nn.Conv3d`); per-axis arguments take 1 or 3 values.
public final class Conv3d: ConvolutionBase, Layer {
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: [Int], stride: [Int] = [1], padding: [Int] = [0],
                dilation: [Int] = [1], groups: Int = 1, bias: Bool = true, generator: inout RandomGenerator) {
        super.init(spatialRank: 3, inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                   dilation: dilation, groups: groups, bias: bias, generator: &generator)
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.conv3d(weight: weight.value, bias: bias?.value, stride: stride, padding: padding,
                         dilation: dilation, groups: groups)
    }
}
