import VidiTensor

/// torchvision's video ResNets (`torchvision.models.video`) with their key names: `r3d_18` (3×3×3
/// convolutions) and `r2plus1d_18` (each 3×3×3 factorised into a 1×3×3 spatial and a 3×1×1 temporal
/// convolution). Input `[N, 3, T, H, W]`; stages 2–4 halve time and space.
public final class VideoResNet: Module, Layer {
    public enum Variant: Sendable { case r3d18, r2plus1d18 }

    public struct Configuration: Sendable {
        public var variant: Variant
        /// Channels of the four stages (torchvision: 64, 128, 256, 512).
        public var widths: [Int]
        /// Channels between the spatial and temporal convolutions of the R(2+1)D stem (torchvision: 45).
        public var stemMidChannels: Int
        /// Classifier outputs; nil builds no `fc`.
        public var classes: Int?

        public init(_ variant: Variant, widths: [Int] = [64, 128, 256, 512], stemMidChannels: Int = 45, classes: Int? = 400) {
            self.variant = variant
            self.widths = widths
            self.stemMidChannels = stemMidChannels
            self.classes = classes
        }
    }

    public let configuration: Configuration
    public let stem: Sequential
    public let stages: [Sequential]
    public let fc: Linear?

    /// torchvision's init: convolutions kaiming-normal (fan_out), BatchNorm 1/0, `fc` `N(0, 0.01²)` with zero bias.
    public init(_ configuration: Configuration, generator: inout RandomGenerator) {
        precondition(configuration.widths.count == 4, "VideoResNet needs four stage widths, got \(configuration.widths)")
        self.configuration = configuration
        let widths = configuration.widths
        switch configuration.variant {
        case .r3d18:
            stem = Sequential([Conv3d(3, widths[0], kernelSize: [3, 7, 7], stride: [1, 2, 2], padding: [1, 3, 3], bias: false, generator: &generator),
                               BatchNorm3d(widths[0]), ReLU()])
        case .r2plus1d18:
            let mid = configuration.stemMidChannels
            stem = Sequential([Conv3d(3, mid, kernelSize: [1, 7, 7], stride: [1, 2, 2], padding: [0, 3, 3], bias: false, generator: &generator),
                               BatchNorm3d(mid), ReLU(),
                               Conv3d(mid, widths[0], kernelSize: [3, 1, 1], padding: [1, 0, 0], bias: false, generator: &generator),
                               BatchNorm3d(widths[0]), ReLU()])
        }
        var inPlanes = widths[0]
        var built: [Sequential] = []
        for (stage, planes) in widths.enumerated() {
            let stride = stage == 0 ? 1 : 2
            let downsample = stride != 1 || inPlanes != planes
                ? residualProjection(inPlanes, planes, stride: [stride], spatialRank: 3, generator: &generator) : nil
            built.append(Sequential([
                VideoBasicBlock(inPlanes, planes, variant: configuration.variant, stride: stride, downsample: downsample, generator: &generator),
                VideoBasicBlock(planes, planes, variant: configuration.variant, stride: 1, downsample: nil, generator: &generator),
            ]))
            inPlanes = planes
        }
        stages = built
        fc = configuration.classes.map { Linear(inPlanes, $0, generator: &generator) }
        super.init()
        register("stem", stem)
        for (index, stage) in stages.enumerated() { register("layer\(index + 1)", stage) }
        if let fc { register("fc", fc) }
        TorchvisionInit.apply(to: self, linearStd: 0.01, generator: &generator)
    }

    /// The output of every stage for `[N, 3, T, H, W]` input.
    public func features(_ input: Tensor) throws -> [Tensor] {
        guard input.rank == 5, input.shape[1] == 3 else {
            throw TensorError.invalidArgument(op: "VideoResNet", reason: "input \(input.shape) is not [N, 3, T, H, W]")
        }
        var x = try stem(input)
        var outputs: [Tensor] = []
        for stage in stages {
            x = try stage(x)
            outputs.append(x)
        }
        return outputs
    }

    /// Logits `[N, classes]`, or the pooled `[N, C]` features when there is no `fc`.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        let pooled = try features(input)[stages.count - 1].mean(axes: [2, 3, 4])
        return try fc?(pooled) ?? pooled
    }
}

/// torchvision's video `BasicBlock`: `conv1` = Sequential(conv, BN, ReLU), `conv2` = Sequential(conv, BN),
/// where conv is a 3×3×3 convolution (r3d) or a (2+1)D pair with `midplanes` channels between.
final class VideoBasicBlock: Module, Layer {
    let conv1: Sequential
    let conv2: Sequential
    let downsample: Sequential?

    init(_ inPlanes: Int, _ planes: Int, variant: VideoResNet.Variant, stride: Int, downsample: Sequential?,
         generator: inout RandomGenerator) {
        let mid = (inPlanes * planes * 27) / (inPlanes * 9 + 3 * planes)
        conv1 = Sequential([VideoBasicBlock.convolution(inPlanes, planes, mid: mid, stride: stride, variant: variant, generator: &generator),
                            BatchNorm3d(planes), ReLU()])
        conv2 = Sequential([VideoBasicBlock.convolution(planes, planes, mid: mid, stride: 1, variant: variant, generator: &generator),
                            BatchNorm3d(planes)])
        self.downsample = downsample
        super.init()
        register("conv1", conv1)
        register("conv2", conv2)
        if let downsample { register("downsample", downsample) }
    }

    /// torchvision's `Conv3DSimple` or `Conv2Plus1D`.
    static func convolution(_ inPlanes: Int, _ outPlanes: Int, mid: Int, stride: Int, variant: VideoResNet.Variant,
                            generator: inout RandomGenerator) -> any Layer {
        switch variant {
        case .r3d18:
            return Conv3d(inPlanes, outPlanes, kernelSize: [3], stride: [stride], padding: [1], bias: false, generator: &generator)
        case .r2plus1d18:
            return Sequential([
                Conv3d(inPlanes, mid, kernelSize: [1, 3, 3], stride: [1, stride, stride], padding: [0, 1, 1], bias: false, generator: &generator),
                BatchNorm3d(mid), ReLU(),
                Conv3d(mid, outPlanes, kernelSize: [3, 1, 1], stride: [stride, 1, 1], padding: [1, 0, 0], bias: false, generator: &generator),
            ])
        }
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        let residual = try downsample?(x) ?? x
        return try conv2(conv1(x), adding: residual, relu: true)
    }
}
