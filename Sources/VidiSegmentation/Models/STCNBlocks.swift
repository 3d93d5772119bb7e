import VidiNN
import VidiTensor

// The small blocks of hkchengrex/STCN `model/modules.py`, `model/cbam.py` and `model/network.py` (Decoder),
// registered under the reference's names.

/// `ResBlock`: x' = (downsample(x) or x) + conv2(relu(conv1(relu(x)))), 3x3 convs with biases.
final class STCNResBlock: Module, Layer {
    let conv1: Conv2d
    let conv2: Conv2d
    let downsample: Conv2d?

    init(_ inChannels: Int, _ outChannels: Int, generator: inout RandomGenerator) {
        conv1 = Conv2d(inChannels, outChannels, kernelSize: [3], padding: [1], generator: &generator)
        conv2 = Conv2d(outChannels, outChannels, kernelSize: [3], padding: [1], generator: &generator)
        downsample = inChannels == outChannels ? nil
            : Conv2d(inChannels, outChannels, kernelSize: [3], padding: [1], generator: &generator)
        super.init()
        if let downsample { register("downsample", downsample) }
        register("conv1", conv1)
        register("conv2", conv2)
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        let r = try conv2(conv1(x.relu()).relu())
        return try (downsample?(x) ?? x) + r
    }
}

/// CBAM's channel-gate MLP, `nn.Sequential(Flatten, Linear, ReLU, Linear)`: parameters at `1` and `3`.
final class CBAMChannelMLP: Module {
    let first: Linear
    let second: Linear

    init(_ channels: Int, hidden: Int, generator: inout RandomGenerator) {
        first = Linear(channels, hidden, generator: &generator)
        second = Linear(hidden, channels, generator: &generator)
        super.init()
        register("1", first)
        register("3", second)
    }

    /// `[N, C]` -> `[N, C]`.
    func callAsFunction(_ x: Tensor) throws -> Tensor { try second(first(x).relu()) }
}

/// `CBAM`: channel gate (sigmoid of the MLP of the average- plus the max-pooled vector), then spatial gate
/// (7x7 conv on [channel max, channel mean], sigmoid).
final class CBAM: Module {
    let channelGate = Module()
    let spatialGate = Module()
    let mlp: CBAMChannelMLP
    let spatialConv: Conv2d

    init(_ channels: Int, hidden: Int, generator: inout RandomGenerator) {
        mlp = CBAMChannelMLP(channels, hidden: hidden, generator: &generator)
        spatialConv = Conv2d(2, 1, kernelSize: [7], padding: [3], generator: &generator)
        let spatialWrapper = Module()
        super.init()
        channelGate.register("mlp", mlp)
        spatialWrapper.register("conv", spatialConv)
        spatialGate.register("spatial", spatialWrapper)
        register("ChannelGate", channelGate)
        register("SpatialGate", spatialGate)
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        let (n, c) = (x.shape[0], x.shape[1])
        let average = try x.mean(axes: [2, 3]).reshaped([n, c])
        let maximum = try x.max(axes: [2, 3]).reshaped([n, c])
        let scale = try (mlp(average) + mlp(maximum)).sigmoid().reshaped([n, c, 1, 1])
        let gated = try x * scale
        let pooled = try Tensor.concatenate([gated.max(axis: 1, keepDims: true), gated.mean(axis: 1, keepDims: true)], axis: 1)
        return try gated * spatialConv(pooled).sigmoid()
    }
}

/// `FeatureFusionBlock`: block1(cat[x, f16]) -> + CBAM -> block2.
final class FeatureFusionBlock: Module {
    let block1: STCNResBlock
    let attention: CBAM
    let block2: STCNResBlock

    init(_ inChannels: Int, _ outChannels: Int, cbamHidden: Int, generator: inout RandomGenerator) {
        block1 = STCNResBlock(inChannels, outChannels, generator: &generator)
        attention = CBAM(outChannels, hidden: cbamHidden, generator: &generator)
        block2 = STCNResBlock(outChannels, outChannels, generator: &generator)
        super.init()
        register("block1", block1)
        register("attention", attention)
        register("block2", block2)
    }

    func callAsFunction(_ x: Tensor, _ f16: Tensor) throws -> Tensor {
        let y = try block1(Tensor.concatenate([x, f16], axis: 1))
        return try block2(y + attention(y))
    }
}

/// `UpsampleBlock`: skip_conv(skip) + bilinear x2 (align_corners false) of up, then a ResBlock.
final class UpsampleBlock: Module {
    let skipConv: Conv2d
    let outConv: STCNResBlock

    init(skip: Int, up: Int, out: Int, generator: inout RandomGenerator) {
        skipConv = Conv2d(skip, up, kernelSize: [3], padding: [1], generator: &generator)
        outConv = STCNResBlock(up, out, generator: &generator)
        super.init()
        register("skip_conv", skipConv)
        register("out_conv", outConv)
    }

    func callAsFunction(_ skip: Tensor, _ up: Tensor) throws -> Tensor {
        let upsampled = try up.interpolate(scaleFactor: [2, 2], mode: .bilinear, alignCorners: false)
        return try outConv(skipConv(skip) + upsampled)
    }
}

/// `Decoder`: compress (ResBlock on [readout || query value]), two upsample blocks with f8 / f4 skips,
/// a 3x3 conv to one logit, bilinear x4.
final class STCNDecoder: Module {
    let compress: STCNResBlock
    let up16to8: UpsampleBlock
    let up8to4: UpsampleBlock
    let pred: Conv2d

    init(_ configuration: STCNConfiguration, generator: inout RandomGenerator) {
        let widths = configuration.decoderWidths
        compress = STCNResBlock(2 * configuration.valueDim, widths[0], generator: &generator)
        up16to8 = UpsampleBlock(skip: configuration.f8Channels, up: widths[0], out: widths[1], generator: &generator)
        up8to4 = UpsampleBlock(skip: configuration.f4Channels, up: widths[1], out: widths[2], generator: &generator)
        pred = Conv2d(widths[2], 1, kernelSize: [3], padding: [1], generator: &generator)
        super.init()
        register("compress", compress)
        register("up_16_8", up16to8)
        register("up_8_4", up8to4)
        register("pred", pred)
    }

    /// Logits `[K, 1, H, W]` at the input resolution from `[K, 2 x valueDim, H/16, W/16]` and the skips.
    func callAsFunction(_ f16: Tensor, _ f8: Tensor, _ f4: Tensor) throws -> Tensor {
        var x = try compress(f16)
        x = try up16to8(f8, x)
        x = try up8to4(f4, x)
        return try pred(x.relu()).interpolate(scaleFactor: [4, 4], mode: .bilinear, alignCorners: false)
    }
}
