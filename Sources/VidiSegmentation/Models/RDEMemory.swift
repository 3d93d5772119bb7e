import VidiNN
import VidiTensor

// Follows Limingxing00/RDE-VOS-CVPR2022 `model/modules.py`: MemCrompress (registered as `mem_compress`),
// SAM, _NonLocalBlockND (3-D, sub-sampled, no BN) and ASPP3D, with the reference's state-dict names.

/// `_NonLocalBlockND` (dimension 3, sub_sample, bn_layer False): x + W((theta(x)^T phi(x) / N) g(x)), with
/// 1x1x1 convs to C/2, phi and g max-pooled (1, 2, 2) with floor, N the pooled positions, no softmax.
final class NonLocalBlock3D: Module {
    let g: Conv3d
    let theta: Conv3d
    let phi: Conv3d
    let w: Conv3d
    let inter: Int

    init(_ channels: Int, generator: inout RandomGenerator) {
        inter = max(channels / 2, 1)
        g = Conv3d(channels, inter, kernelSize: [1], generator: &generator)
        w = Conv3d(inter, channels, kernelSize: [1], generator: &generator)
        theta = Conv3d(channels, inter, kernelSize: [1], generator: &generator)
        phi = Conv3d(channels, inter, kernelSize: [1], generator: &generator)
        super.init()
        let gWrapper = Module(), phiWrapper = Module()
        gWrapper.register("0", g)
        phiWrapper.register("0", phi)
        register("g", gWrapper)
        register("W", w)
        register("theta", theta)
        register("phi", phiWrapper)
    }

    /// `[B, C, T, H, W]` -> same shape.
    func callAsFunction(_ x: Tensor) throws -> Tensor {
        let b = x.shape[0]
        let pooledG = try g(x).maxPool3d(kernelSize: [1, 2, 2])
        let pooledPhi = try phi(x).maxPool3d(kernelSize: [1, 2, 2])
        let gx = try pooledG.reshaped([b, inter, -1]).permuted([0, 2, 1])          // [B, N, C']
        let thetaX = try theta(x).reshaped([b, inter, -1]).permuted([0, 2, 1])      // [B, THW, C']
        let phiX = try pooledPhi.reshaped([b, inter, -1])                            // [B, C', N]
        let f = try thetaX.matmul(phiX)
        let n = Float(f.shape[2])
        let y = try (f / n).matmul(gx).permuted([0, 2, 1]).contiguous().reshaped([b, inter] + Array(x.shape.dropFirst(2)))
        return try w(y) + x
    }
}

/// `ASPP3D`: relu(conv1(cat of 4 bias-free branches, each relu: 1x1x1 and (1,3,3) dilated 2, 4, 6)).
final class ASPP3D: Module {
    let branches: [Conv3d]
    let conv1: Conv3d

    init(_ inChannels: Int, _ outChannels: Int, generator: inout RandomGenerator) {
        let mid = outChannels / 4
        var built = [Conv3d(inChannels, mid, kernelSize: [1], bias: false, generator: &generator)]
        for dilation in [2, 4, 6] {
            built.append(Conv3d(inChannels, mid, kernelSize: [1, 3, 3], padding: [0, dilation, dilation],
                                dilation: [1, dilation, dilation], bias: false, generator: &generator))
        }
        branches = built
        conv1 = Conv3d(mid * 4, outChannels, kernelSize: [1, 3, 3], padding: [0, 1, 1], bias: false, generator: &generator)
        super.init()
        for (index, branch) in branches.enumerated() {
            let wrapper = Module()
            wrapper.register("atrous_conv", branch)
            register("aspp\(index + 1)", wrapper)
        }
        register("conv1", conv1)
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        let parts = try branches.map { try $0(x).relu() }
        return try conv1(Tensor.concatenate(parts, axis: 1)).relu()
    }
}

/// `SAM` (repeat 0): y = non_local(x); y + ASPP3D(y).
final class SAM: Module {
    let nonLocal: NonLocalBlock3D
    let aspp: ASPP3D

    init(_ channels: Int, generator: inout RandomGenerator) {
        aspp = ASPP3D(channels, channels, generator: &generator)
        nonLocal = NonLocalBlock3D(channels, generator: &generator)
        super.init()
        register("conv1", aspp)
        register("non_local", nonLocal)
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        let y = try nonLocal(x)
        return try aspp(y) + y
    }
}

/// `MemCrompress`: SAM then a (2, 3, 3) Conv3d that collapses the time axis 2 -> 1, for keys (shared by the
/// objects) and for values (per object).
public final class RDEMemoryCompression: Module {
    let keySAM: SAM
    let valueSAM: SAM
    let compressKey: Conv3d
    let compressValue: Conv3d

    init(keyDim: Int, valueDim: Int, generator: inout RandomGenerator) {
        keySAM = SAM(keyDim, generator: &generator)
        valueSAM = SAM(valueDim, generator: &generator)
        compressKey = Conv3d(keyDim, keyDim, kernelSize: [2, 3, 3], padding: [0, 1, 1], generator: &generator)
        compressValue = Conv3d(valueDim, valueDim, kernelSize: [2, 3, 3], padding: [0, 1, 1], generator: &generator)
        super.init()
        register("key_encoder", keySAM)
        register("value_encoder", valueSAM)
        register("compress_key", compressKey)
        register("compress_value", compressValue)
    }

    /// Keys `[1, CK, 2, h, w]` -> `[1, CK, 1, h, w]`.
    public func compressKeys(_ keys: Tensor) throws -> Tensor { try compressKey(keySAM(keys)) }

    /// Values `[K, CV, 2, h, w]` -> `[K, CV, 1, h, w]`.
    public func compressValues(_ values: Tensor) throws -> Tensor { try compressValue(valueSAM(values)) }
}
