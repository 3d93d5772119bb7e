import VidiTensor

/// torchvision's ResNet with its state-dict key names (`conv1`, `bn1`, `layer1.0.conv1`, …, `fc`), so a
/// converted torchvision checkpoint loads as is. Options used by video models: more input channels
/// (e.g. RGB + mask), truncation after any stage (no later stages and no `fc` are built, so a truncated
/// model loads a full checkpoint with `strict: false`), and the feature maps of every stage.
public final class ResNet: Module, Layer {
    public enum Variant: Sendable {
        case resnet18, resnet34, resnet50, resnet101, resnet152

        var blocks: [Int] {
            switch self {
            case .resnet18: return [2, 2, 2, 2]
            case .resnet34, .resnet50: return [3, 4, 6, 3]
            case .resnet101: return [3, 4, 23, 3]
            case .resnet152: return [3, 8, 36, 3]
            }
        }

        var usesBottleneck: Bool { self != .resnet18 && self != .resnet34 }
    }

    public struct Configuration: Sendable {
        public var variant: Variant
        /// Channels of the four stages before expansion (torchvision: 64, 128, 256, 512).
        public var widths: [Int]
        public var inputChannels: Int
        /// Classifier outputs; nil builds no `fc` (a backbone).
        public var classes: Int?
        /// Stages kept, 1…4.
        public var stages: Int

        public init(_ variant: Variant, widths: [Int] = [64, 128, 256, 512], inputChannels: Int = 3,
                    classes: Int? = 1000, stages: Int = 4) {
            self.variant = variant
            self.widths = widths
            self.inputChannels = inputChannels
            self.classes = classes
            self.stages = stages
        }
    }

    public let configuration: Configuration
    public let conv1: Conv2d
    public let bn1: BatchNorm2d
    /// `layer1` … `layer<stages>`, each a Sequential of residual blocks.
    public let stages: [Sequential]
    public let fc: Linear?

    /// torchvision's init: convolutions kaiming-normal (fan_out, ReLU gain), BatchNorm weight 1 / bias 0,
    /// `fc` PyTorch's Linear default.
    public init(_ configuration: Configuration, generator: inout RandomGenerator) {
        precondition(configuration.widths.count == 4, "ResNet needs four stage widths, got \(configuration.widths)")
        precondition((1...4).contains(configuration.stages), "ResNet stages must be 1…4, got \(configuration.stages)")
        self.configuration = configuration
        let widths = configuration.widths
        conv1 = Conv2d(configuration.inputChannels, widths[0], kernelSize: [7], stride: [2], padding: [3], bias: false,
                       generator: &generator)
        bn1 = BatchNorm2d(widths[0])
        let expansion = configuration.variant.usesBottleneck ? Bottleneck.expansion : BasicBlock.expansion
        var inPlanes = widths[0]
        var built: [Sequential] = []
        for stage in 0..<configuration.stages {
            let planes = widths[stage], stride = stage == 0 ? 1 : 2
            var blocks: [any Layer] = []
            for index in 0..<configuration.variant.blocks[stage] {
                let blockStride = index == 0 ? stride : 1
                let downsample = index == 0 && (stride != 1 || inPlanes != planes * expansion)
                    ? residualProjection(inPlanes, planes * expansion, stride: [stride], spatialRank: 2, generator: &generator) : nil
                if configuration.variant.usesBottleneck {
                    blocks.append(Bottleneck(inPlanes, planes, stride: blockStride, downsample: downsample, generator: &generator))
                } else {
                    blocks.append(BasicBlock(inPlanes, planes, stride: blockStride, downsample: downsample, generator: &generator))
                }
                inPlanes = planes * expansion
            }
            built.append(Sequential(blocks))
        }
        stages = built
        fc = configuration.stages == 4 ? configuration.classes.map { Linear(inPlanes, $0, generator: &generator) } : nil
        super.init()
        register("conv1", conv1)
        register("bn1", bn1)
        for (index, stage) in stages.enumerated() { register("layer\(index + 1)", stage) }
        if let fc { register("fc", fc) }
        TorchvisionInit.apply(to: self, generator: &generator)
    }

    /// Channels of the last kept stage's output.
    public var outputChannels: Int {
        configuration.widths[configuration.stages - 1] * (configuration.variant.usesBottleneck ? Bottleneck.expansion : 1)
    }

    /// The output of every kept stage for `[N, C, H, W]` input: strides 4, 8, 16, 32.
    public func features(_ input: Tensor) throws -> [Tensor] {
        guard input.rank == 4, input.shape[1] == configuration.inputChannels else {
            throw TensorError.invalidArgument(op: "ResNet", reason: "input \(input.shape) is not [N, \(configuration.inputChannels), H, W]")
        }
        var x = try bn1(conv1(input), adding: nil, relu: true).maxPool2d(kernelSize: [3], stride: [2], padding: [1])
        var outputs: [Tensor] = []
        for stage in stages {
            x = try stage(x)
            outputs.append(x)
        }
        return outputs
    }

    /// Logits `[N, classes]` when the model has `fc`; otherwise the last kept stage's feature map.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        let last = try features(input)[stages.count - 1]
        guard let fc else { return last }
        return try fc(last.mean(axes: [2, 3]))
    }

    /// A pretrained `conv1.weight` `[out, 3, 7, 7]` widened to `channels` inputs with zero weights for the extra
    /// ones, so a model with extra input channels starts out computing what the RGB model did.
    public static func widenedInputWeight(_ weight: Tensor, channels: Int) throws -> Tensor {
        guard weight.rank == 4, channels >= weight.shape[1] else {
            throw TensorError.invalidArgument(op: "ResNet.widenedInputWeight", reason: "cannot widen weight \(weight.shape) to \(channels) input channels")
        }
        guard channels > weight.shape[1] else { return weight }
        var extra = weight.shape
        extra[1] = channels - weight.shape[1]
        return try Tensor.concatenate([weight, Tensor.zeros(extra)], axis: 1)
    }
}

/// torchvision's initialisation of its CNNs: every convolution kaiming-normal (fan_out, ReLU), every
/// BatchNorm weight 1 and bias 0 (their constructors already do that), Linear layers as configured.
enum TorchvisionInit {
    static func apply(to root: Module, linearStd: Float? = nil, generator: inout RandomGenerator) {
        for (_, module) in root.namedModules() {
            if let conv = module as? ConvolutionBase {
                conv.weight.value = Init.kaimingNormalFanOut(conv.weight.shape, generator: &generator).requiresGrad()
                if let bias = conv.bias { bias.value = Tensor.zeros(bias.shape).requiresGrad() }
            } else if let linear = module as? Linear, let std = linearStd {
                linear.weight.value = Init.normal(linear.weight.shape, std: std, generator: &generator).requiresGrad()
                if let bias = linear.bias { bias.value = Tensor.zeros(bias.shape).requiresGrad() }
            }
        }
    }
}
