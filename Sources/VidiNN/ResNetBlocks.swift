import VidiTensor

/// A 1×1 convolution and BatchNorm that bring the identity path to a residual block's output shape
/// (torchvision's `downsample` = `Sequential(conv, bn)`, keys `downsample.0`, `downsample.1`).
func residualProjection(_ inChannels: Int, _ outChannels: Int, stride: [Int], spatialRank: Int,
                        generator: inout RandomGenerator) -> Sequential {
    if spatialRank == 3 {
        return Sequential([Conv3d(inChannels, outChannels, kernelSize: [1], stride: stride, bias: false, generator: &generator),
                           BatchNorm3d(outChannels)])
    }
    return Sequential([Conv2d(inChannels, outChannels, kernelSize: [1], stride: stride, bias: false, generator: &generator),
                       BatchNorm2d(outChannels)])
}

/// torchvision's `BasicBlock` (ResNet-18/34): two 3×3 convolutions with a residual connection.
public final class BasicBlock: Module, Layer {
    public static let expansion = 1
    let conv1: Conv2d
    let bn1: BatchNorm2d
    let conv2: Conv2d
    let bn2: BatchNorm2d
    let downsample: Sequential?

    init(_ inPlanes: Int, _ planes: Int, stride: Int, downsample: Sequential?, generator: inout RandomGenerator) {
        conv1 = Conv2d(inPlanes, planes, kernelSize: [3], stride: [stride], padding: [1], bias: false, generator: &generator)
        bn1 = BatchNorm2d(planes)
        conv2 = Conv2d(planes, planes, kernelSize: [3], padding: [1], bias: false, generator: &generator)
        bn2 = BatchNorm2d(planes)
        self.downsample = downsample
        super.init()
        register("conv1", conv1)
        register("bn1", bn1)
        register("conv2", conv2)
        register("bn2", bn2)
        if let downsample { register("downsample", downsample) }
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let identity = try downsample?(x) ?? x
        let out = try bn1(conv1(x), adding: nil, relu: true)
        return try bn2(conv2(out), adding: identity, relu: true)
    }
}

/// torchvision's `Bottleneck` (ResNet-50/101/152, "v1.5": the stride sits on the 3×3 convolution).
public final class Bottleneck: Module, Layer {
    public static let expansion = 4
    let conv1: Conv2d
    let bn1: BatchNorm2d
    let conv2: Conv2d
    let bn2: BatchNorm2d
    let conv3: Conv2d
    let bn3: BatchNorm2d
    let downsample: Sequential?

    init(_ inPlanes: Int, _ planes: Int, stride: Int, downsample: Sequential?, generator: inout RandomGenerator) {
        conv1 = Conv2d(inPlanes, planes, kernelSize: [1], bias: false, generator: &generator)
        bn1 = BatchNorm2d(planes)
        conv2 = Conv2d(planes, planes, kernelSize: [3], stride: [stride], padding: [1], bias: false, generator: &generator)
        bn2 = BatchNorm2d(planes)
        conv3 = Conv2d(planes, planes * Bottleneck.expansion, kernelSize: [1], bias: false, generator: &generator)
        bn3 = BatchNorm2d(planes * Bottleneck.expansion)
        self.downsample = downsample
        super.init()
        register("conv1", conv1)
        register("bn1", bn1)
        register("conv2", conv2)
        register("bn2", bn2)
        register("conv3", conv3)
        register("bn3", bn3)
        if let downsample { register("downsample", downsample) }
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let identity = try downsample?(x) ?? x
        var out = try bn1(conv1(x), adding: nil, relu: true)
        out = try bn2(conv2(out), adding: nil, relu: true)
        return try bn3(conv3(out), adding: identity, relu: true)
    }
}
