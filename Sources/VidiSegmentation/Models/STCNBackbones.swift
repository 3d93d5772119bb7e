import VidiNN
import VidiTensor

// The two encoders of hkchengrex/STCN `model/modules.py` (KeyEncoder: torchvision ResNet-50 truncated after
// layer3, its first stage registered as `res2`; ValueEncoder: `model/mod_resnet.py`'s ResNet-18 whose
// convolutions all carry biases, 3 + 2 input channels), with the reference's state-dict names.

/// A residual block: torchvision's Bottleneck (key encoder) or mod_resnet's BasicBlock (value encoder).
final class STCNResidualBlock: Module, Layer {
    let convs: [Conv2d]
    let norms: [BatchNorm2d]
    let downsample: Sequential?

    init(bottleneck: Bool, inPlanes: Int, planes: Int, stride: Int, bias: Bool, generator: inout RandomGenerator) {
        let outPlanes = bottleneck ? planes * 4 : planes
        if bottleneck {
            convs = [Conv2d(inPlanes, planes, kernelSize: [1], bias: bias, generator: &generator),
                     Conv2d(planes, planes, kernelSize: [3], stride: [stride], padding: [1], bias: bias, generator: &generator),
                     Conv2d(planes, outPlanes, kernelSize: [1], bias: bias, generator: &generator)]
        } else {
            convs = [Conv2d(inPlanes, planes, kernelSize: [3], stride: [stride], padding: [1], bias: bias, generator: &generator),
                     Conv2d(planes, planes, kernelSize: [3], padding: [1], bias: bias, generator: &generator)]
        }
        norms = convs.map { BatchNorm2d($0.outChannels) }
        downsample = stride != 1 || inPlanes != outPlanes
            ? Sequential([Conv2d(inPlanes, outPlanes, kernelSize: [1], stride: [stride], bias: bias, generator: &generator),
                          BatchNorm2d(outPlanes)]) : nil
        super.init()
        for (index, (conv, norm)) in zip(convs, norms).enumerated() {
            register("conv\(index + 1)", conv)
            register("bn\(index + 1)", norm)
        }
        if let downsample { register("downsample", downsample) }
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        var out = x
        for index in convs.indices {
            out = try norms[index](convs[index](out))
            if index < convs.count - 1 { out = try out.relu() }
        }
        return try (out + (downsample?(x) ?? x)).relu()
    }
}

/// A ResNet stem (7x7 stride-2 conv, BN, ReLU, 3x3 stride-2 max-pool) and three stages.
final class STCNResNet: Module {
    let conv1: Conv2d
    let bn1: BatchNorm2d
    let stages: [Sequential]

    init(inputChannels: Int, stem: Int, planes: [Int], blocks: [Int], bottleneck: Bool, bias: Bool,
         stageNames: [String], generator: inout RandomGenerator) {
        conv1 = Conv2d(inputChannels, stem, kernelSize: [7], stride: [2], padding: [3], bias: bias, generator: &generator)
        bn1 = BatchNorm2d(stem)
        var inPlanes = stem
        var built: [Sequential] = []
        for (stage, width) in planes.enumerated() {
            var layers: [any Layer] = []
            for index in 0..<blocks[stage] {
                let block = STCNResidualBlock(bottleneck: bottleneck, inPlanes: inPlanes, planes: width,
                                              stride: index == 0 && stage > 0 ? 2 : 1, bias: bias, generator: &generator)
                layers.append(block)
                inPlanes = bottleneck ? width * 4 : width
            }
            built.append(Sequential(layers))
        }
        stages = built
        super.init()
        register("conv1", conv1)
        register("bn1", bn1)
        for (stage, name) in zip(stages, stageNames) { register(name, stage) }
    }

    /// Outputs of the three stages (strides 4, 8, 16).
    func features(_ x: Tensor) throws -> [Tensor] {
        var out = try bn1(conv1(x)).relu().maxPool2d(kernelSize: [3], stride: [2], padding: [1])
        var result: [Tensor] = []
        for stage in stages {
            out = try stage(out)
            result.append(out)
        }
        return result
    }
}
