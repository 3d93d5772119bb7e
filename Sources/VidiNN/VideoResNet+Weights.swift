import VidiTensor

extension VideoResNet.Configuration {
    /// The configuration a torchvision video ResNet state dict (`r3d_18`, `r2plus1d_18`, any widths) was
    /// saved from: R(2+1)D when the stem's first convolution has a temporal kernel of 1 (`stem.0.weight`
    /// is [mid, 3, 1, 7, 7]; r3d's is [64, 3, 3, 7, 7]), stage widths from each stage's first BatchNorm
    /// (`layerK.0.conv1.1.weight`, the same key in both variants), classes from `fc.weight`.
    public init(torchvisionWeights tensors: [String: Tensor]) throws {
        guard let stem = tensors["stem.0.weight"], stem.rank == 5, stem.shape[1] == 3 else {
            throw TensorError.invalidArgument(op: "VideoResNet weights", reason: "no 5-D 'stem.0.weight' with 3 input channels: not a torchvision video ResNet state dict")
        }
        var widths: [Int] = []
        for stage in 1...4 {
            guard let norm = tensors["layer\(stage).0.conv1.1.weight"], norm.rank == 1 else {
                throw StateDictError(missingKeys: ["layer\(stage).0.conv1.1.weight"])
            }
            widths.append(norm.shape[0])
        }
        let factorised = stem.shape[2] == 1
        self.init(factorised ? .r2plus1d18 : .r3d18, widths: widths, stemMidChannels: factorised ? stem.shape[0] : 45,
                  classes: tensors["fc.weight"]?.shape[0])
    }
}

extension VideoResNet {
    /// torchvision's name of the architecture (`r3d_18`, `r2plus1d_18`).
    public var torchvisionName: String {
        switch configuration.variant {
        case .r3d18: return "r3d_18"
        case .r2plus1d18: return "r2plus1d_18"
        }
    }
}
