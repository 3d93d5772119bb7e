import VidiTensor

/// Image embeddings from a torchvision ResNet (18/34/50/101/152, any widths) loaded from safetensors
/// with torchvision's key names: global-average-pooled features of the last stage, `[N, D]`. The
/// architecture is read from the weights' shapes; a classifier head (`fc.*`) is ignored.
/// Follows torchvision `models/resnet.py` (the `avgpool` output before `fc`).
public final class ResNetEmbedder {
    public let backbone: ResNet

    /// ImageNet's channel statistics, which torchvision's weights expect after scaling to [0, 1].
    public static let mean: [Float] = [0.485, 0.456, 0.406]
    public static let std: [Float] = [0.229, 0.224, 0.225]

    public init(weights tensors: [String: Tensor]) throws {
        var configuration = try ResNet.Configuration(torchvisionWeights: tensors)
        configuration.classes = nil  // a backbone: the classifier is not used
        var generator = RandomGenerator(seed: 0)  // every parameter is overwritten by the load below
        backbone = ResNet(configuration, generator: &generator)
        let kept = tensors.filter { !$0.key.hasPrefix("fc.") }
        try backbone.loadStateDict(kept, strict: true)
        backbone.eval()
    }

    public convenience init(path: String) throws {
        try self.init(weights: try Safetensors.read(path: path))
    }

    /// Feature width D.
    public var dimension: Int { backbone.outputChannels }

    /// `[N, D]` embeddings of `[N, 3, H, W]` images already normalised with `mean` / `std`.
    public func embed(_ images: Tensor) throws -> Tensor {
        try withNoGrad {
            let last = try backbone.features(images)[backbone.stages.count - 1]
            return try last.mean(axes: [2, 3])
        }
    }

    /// `[N, 3, H, W]` normalised input from N RGB images of one size (H x W x 3 bytes each).
    public static func input(rgb images: [[UInt8]], height: Int, width: Int) throws -> Tensor {
        let plane = height * width
        var values = [Float](repeating: 0, count: images.count * 3 * plane)
        for (n, pixels) in images.enumerated() {
            guard pixels.count == plane * 3 else {
                throw TensorError.invalidArgument(op: "ResNetEmbedder.input", reason: "image \(n) has \(pixels.count) bytes, expected \(plane * 3)")
            }
            for c in 0..<3 {
                let (scale, shift) = (1 / (255 * std[c]), -mean[c] / std[c])
                let base = (n * 3 + c) * plane
                for p in 0..<plane { values[base + p] = Float(pixels[p * 3 + c]) * scale + shift }
            }
        }
        return try Tensor(values, shape: [images.count, 3, height, width])
    }
}

extension ResNet.Configuration {
    /// The configuration a torchvision ResNet state dict was saved from: bottleneck blocks when
    /// `layer1.0.conv3.weight` exists, blocks per stage by counting `layerK.I.`, widths from each stage's
    /// first `conv1`, classes from `fc.weight`.
    public init(torchvisionWeights tensors: [String: Tensor]) throws {
        let bottleneck = tensors["layer1.0.conv3.weight"] != nil
        var blocks: [Int] = []
        var widths: [Int] = []
        for stage in 1...4 {
            let prefix = "layer\(stage)."
            let indices = Set(tensors.keys.filter { $0.hasPrefix(prefix) }.compactMap { Int($0.dropFirst(prefix.count).prefix { $0 != "." }) })
            guard !indices.isEmpty else { break }
            guard let conv = tensors["\(prefix)0.conv1.weight"], conv.rank == 4 else {
                throw StateDictError(missingKeys: ["\(prefix)0.conv1.weight"])
            }
            blocks.append(indices.count)
            widths.append(conv.shape[0])
        }
        let variants: [(ResNet.Variant, [Int], Bool)] = [
            (.resnet18, [2, 2, 2, 2], false), (.resnet34, [3, 4, 6, 3], false), (.resnet50, [3, 4, 6, 3], true),
            (.resnet101, [3, 4, 23, 3], true), (.resnet152, [3, 8, 36, 3], true),
        ]
        guard !blocks.isEmpty,
              let variant = variants.first(where: { $0.2 == bottleneck && Array($0.1.prefix(blocks.count)) == blocks })?.0,
              let stem = tensors["conv1.weight"], stem.rank == 4
        else {
            throw TensorError.invalidArgument(op: "ResNet weights", reason: "not a torchvision ResNet state dict (blocks per stage \(blocks), bottleneck \(bottleneck))")
        }
        let full = widths + [64, 128, 256, 512].dropFirst(widths.count).map { $0 }
        self.init(variant, widths: full, inputChannels: stem.shape[1], classes: tensors["fc.weight"]?.shape[0], stages: widths.count)
    }
}

extension ResNet.Variant {
    /// torchvision's function name for this depth.
    public var torchvisionName: String {
        switch self {
        case .resnet18: return "resnet18"
        case .resnet34: return "resnet34"
        case .resnet50: return "resnet50"
        case .resnet101: return "resnet101"
        case .resnet152: return "resnet152"
        }
    }
}
