import VidiNN
import VidiTensor

// Follows hkchengrex/STCN `model/eval_network.py` (class STCN) and `model/network.py`; RDE-VOS
// (Limingxing00/RDE-VOS-CVPR2022 `model/eval_network.py`, class RDE_VOS) is this network plus
// `mem_compress` (see RDEMemory.swift). Registered keys are the reference state dicts' keys.

/// What the key encoder gives for one frame: the key, the query value (`key_comp`), and the features
/// the value encoder (f16) and the decoder (f8, f4) reuse.
public struct STCNQuery {
    /// `[1, keyDim, H/16, W/16]`
    public let key: Tensor
    /// `[1, valueDim, H/16, W/16]`
    public let value: Tensor
    public let f16: Tensor
    public let f8: Tensor
    public let f4: Tensor
}

/// The STCN / RDE-VOS network.
public final class STCN: Module {
    public let configuration: STCNConfiguration
    let keyEncoder: STCNResNet
    let valueEncoder: STCNResNet
    let fuser: FeatureFusionBlock
    let keyProjection: Conv2d
    let keyCompression: Conv2d
    let decoder: STCNDecoder
    /// RDE's memory compression (SAM for keys and for values), present when the configuration says so.
    public let memoryCompression: RDEMemoryCompression?
    /// Vidi's LCM modules (LCM.swift), present when the configuration says so.
    public let lcm: LCMModules?

    public init(_ configuration: STCNConfiguration, generator: inout RandomGenerator) {
        self.configuration = configuration
        keyEncoder = STCNResNet(inputChannels: 3, stem: configuration.keyStem, planes: configuration.keyPlanes,
                                blocks: configuration.keyBlocks, bottleneck: true, bias: false,
                                stageNames: ["res2", "layer2", "layer3"], generator: &generator)
        valueEncoder = STCNResNet(inputChannels: 5, stem: configuration.valueStem, planes: configuration.valuePlanes,
                                  blocks: configuration.valueBlocks, bottleneck: false, bias: true,
                                  stageNames: ["layer1", "layer2", "layer3"], generator: &generator)
        fuser = FeatureFusionBlock(configuration.f16Channels + configuration.valuePlanes[2], configuration.valueDim,
                                   cbamHidden: configuration.cbamHidden, generator: &generator)
        keyProjection = Conv2d(configuration.f16Channels, configuration.keyDim, kernelSize: [3], padding: [1], generator: &generator)
        keyCompression = Conv2d(configuration.f16Channels, configuration.valueDim, kernelSize: [3], padding: [1], generator: &generator)
        decoder = STCNDecoder(configuration, generator: &generator)
        memoryCompression = configuration.hasMemoryCompression
            ? RDEMemoryCompression(keyDim: configuration.keyDim, valueDim: configuration.valueDim, generator: &generator) : nil
        lcm = configuration.hasLCM
            ? LCMModules(position: LCMPositionConsistency(valueDim: configuration.valueDim, generator: &generator),
                         object: LCMObjectRelation(valueDim: configuration.valueDim, generator: &generator),
                         guidance: configuration.hasLCMGuidance ? LCMPositionGuidance() : nil) : nil
        super.init()
        register("key_encoder", keyEncoder)
        valueEncoder.register("fuser", fuser)
        register("value_encoder", valueEncoder)
        let projection = Module()
        projection.register("key_proj", keyProjection)
        register("key_proj", projection)
        register("key_comp", keyCompression)
        register("decoder", decoder)
        if let memoryCompression { register("mem_compress", memoryCompression) }
        if let lcm {
            register("lcm_position", lcm.position)
            register("lcm_object", lcm.object)
            if let guidance = lcm.guidance { register("lcm_guidance", guidance) }
        }
    }

    /// Builds the network a checkpoint describes and loads it strictly (STCN's 4-channel stage-0
    /// `value_encoder.conv1` is zero-padded to 5 first, as STCN's eval script does).
    public convenience init(weights: [String: Tensor]) throws {
        var weights = weights
        if let conv = weights["value_encoder.conv1.weight"], conv.rank == 4, conv.shape[1] == 4 {
            weights["value_encoder.conv1.weight"] = try ResNet.widenedInputWeight(conv, channels: 5)
        }
        var generator = RandomGenerator(seed: 0)
        self.init(try STCNConfiguration(weights: weights), generator: &generator)
        try loadStateDict(weights, strict: true)
        eval()
    }

    /// A network with LCM added for fine-tuning: the readout refinements start at zero (they change nothing
    /// until trained), the position guidance at its initial strength (it acts from the first step). Weights
    /// with an LCM of the earlier version (no `lcm_guidance.*`) keep it and gain the guidance.
    public static func addingLCM(to weights: [String: Tensor]) throws -> STCN {
        var configuration = try STCNConfiguration(weights: weights)
        guard !configuration.hasLCM || !configuration.hasLCMGuidance else { return try STCN(weights: weights) }
        configuration.hasLCM = true
        configuration.hasLCMGuidance = true
        var generator = RandomGenerator(seed: 0)
        let network = STCN(configuration, generator: &generator)
        let skipped = try network.loadStateDict(weights, strict: false)
        guard skipped.unexpected.isEmpty, skipped.missing.allSatisfy({ $0.hasPrefix("lcm_") }) else {
            throw SegmentationError(.badWeights, "weights do not fit: missing \(skipped.missing.prefix(5)), unexpected \(skipped.unexpected.prefix(5))")
        }
        network.eval()
        return network
    }

    /// `encode_key`: `[1, 3, H, W]` normalised, padded frame -> key, query value and features.
    public func encodeKey(_ frame: Tensor) throws -> STCNQuery {
        let features = try keyEncoder.features(frame)
        let (f4, f8, f16) = (features[0], features[1], features[2])
        return STCNQuery(key: try keyProjection(f16), value: try keyCompression(f16), f16: f16, f8: f8, f4: f4)
    }

    /// `encode_value`: `[K, valueDim, H/16, W/16]` memory values of K objects from the frame, the key
    /// encoder's f16 and the objects' probability masks `[K, 1, H, W]` (each with the sum of the others).
    public func encodeValue(frame: Tensor, f16: Tensor, masks: Tensor) throws -> Tensor {
        let k = masks.shape[0]
        let others: Tensor
        if k == 1 {
            others = Tensor.zeros(like: masks)
        } else {
            let total = try masks.sum(axis: 0, keepDims: true)
            others = try total - masks
        }
        let (h, w) = (frame.shape[2], frame.shape[3])
        let frames = try frame.expanded(to: [k, 3, h, w])
        let input = try Tensor.concatenate([frames, masks, others], axis: 1)
        let x = try valueEncoder.features(input)[2]
        return try fuser(x, f16.expanded(to: [k] + Array(f16.shape.dropFirst())))
    }

    /// The decoder on `[K, valueDim, h, w]` readouts: per-object probabilities `[K, 1, H, W]` (sigmoid).
    /// `logitBias` (`[K, 1, H, W]`, LCM's position guidance) is added to the logits before the sigmoid.
    public func segment(readout: Tensor, query: STCNQuery, logitBias: Tensor? = nil) throws -> Tensor {
        let k = readout.shape[0]
        let queryValue = try query.value.expanded(to: [k] + Array(query.value.shape.dropFirst()))
        let logits = try decoderLogits(Tensor.concatenate([readout, queryValue], axis: 1), query: query)
        return try (logitBias.map { try logits + $0 } ?? logits).sigmoid()
    }

    /// Decoder logits from the decoder input `[K, 2 x valueDim, h, w]` (readout || query value).
    public func decoderLogits(_ input: Tensor, query: STCNQuery) throws -> Tensor {
        try decoder(input, query.f8, query.f4)
    }
}
