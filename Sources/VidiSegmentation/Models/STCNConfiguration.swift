import VidiTensor

/// The shapes of an STCN-style network (hkchengrex/STCN `model/eval_network.py`; RDE-VOS's `RDE_VOS` is the
/// same network plus `mem_compress`), read from a checkpoint's tensor shapes so `--weights` alone picks
/// the architecture. `full` is the published one (ResNet-50 key encoder to layer3, ResNet-18 value encoder
/// to layer3, keys 64, values 512); `small` is a width-reduced one that trains on two CPU cores.
public struct STCNConfiguration: Sendable, Equatable {
    /// Key encoder (torchvision ResNet with Bottlenecks, no conv biases): stem width and the planes and
    /// block counts of `res2`, `layer2`, `layer3` (outputs are planes x 4: f4, f8, f16).
    public var keyStem: Int
    public var keyPlanes: [Int]
    public var keyBlocks: [Int]
    /// Value encoder (STCN's mod_resnet ResNet-18: BasicBlocks, every conv with a bias), to layer3.
    public var valueStem: Int
    public var valuePlanes: [Int]
    public var valueBlocks: [Int]
    /// Key channels (`key_proj`) and value channels (`key_comp`, the fuser, one memory value).
    public var keyDim: Int
    public var valueDim: Int
    /// CBAM channel-gate hidden width (value channels / 16 in STCN).
    public var cbamHidden: Int
    /// Decoder widths: `compress` output (1/16), `up_16_8` output (1/8), `up_8_4` output (1/4).
    public var decoderWidths: [Int]
    /// Whether the checkpoint carries RDE's `mem_compress` (SAM) weights.
    public var hasMemoryCompression: Bool
    /// Whether the checkpoint carries Vidi's LCM modules (`lcm_position.*`, `lcm_object.*`).
    public var hasLCM = false
    /// Whether the LCM modules include the direct position guidance (`lcm_guidance.*`, LCMPositionGuidance.swift);
    /// LCM checkpoints written before it have none and run as they were trained.
    public var hasLCMGuidance = false

    public var f4Channels: Int { keyPlanes[0] * 4 }
    public var f8Channels: Int { keyPlanes[1] * 4 }
    public var f16Channels: Int { keyPlanes[2] * 4 }

    /// The published STCN / RDE-VOS network.
    public static func full(rde: Bool) -> STCNConfiguration {
        STCNConfiguration(keyStem: 64, keyPlanes: [64, 128, 256], keyBlocks: [3, 4, 6], valueStem: 64,
                          valuePlanes: [64, 128, 256], valueBlocks: [2, 2, 2], keyDim: 64, valueDim: 512,
                          cbamHidden: 32, decoderWidths: [512, 256, 256], hasMemoryCompression: rde)
    }

    /// Vidi's width-reduced network: same structure, about 1/4 of the channels and fewer blocks.
    public static func small(rde: Bool) -> STCNConfiguration {
        STCNConfiguration(keyStem: 16, keyPlanes: [16, 32, 64], keyBlocks: [1, 2, 2], valueStem: 16,
                          valuePlanes: [16, 32, 64], valueBlocks: [1, 1, 1], keyDim: 32, valueDim: 64,
                          cbamHidden: 4, decoderWidths: [64, 32, 32], hasMemoryCompression: rde)
    }

    /// Reads the configuration from checkpoint shapes (keys as STCN's / RDE-VOS's state dicts name them).
    public init(weights: [String: Tensor]) throws(SegmentationError) {
        func shape(_ key: String, rank: Int) throws(SegmentationError) -> [Int] {
            guard let tensor = weights[key] else { throw SegmentationError(.badWeights, "missing \(key): not an STCN / RDE-VOS checkpoint") }
            guard tensor.rank == rank else { throw SegmentationError(.badWeights, "\(key) has shape \(tensor.shape), expected rank \(rank)") }
            return tensor.shape
        }
        func blocks(_ prefix: String) -> Int {
            var count = 0
            while weights["\(prefix).\(count).conv1.weight"] != nil { count += 1 }
            return count
        }
        keyStem = try shape("key_encoder.conv1.weight", rank: 4)[0]
        keyPlanes = try ["res2", "layer2", "layer3"].map { (name: String) throws(SegmentationError) -> Int in
            try shape("key_encoder.\(name).0.conv1.weight", rank: 4)[0]
        }
        keyBlocks = ["res2", "layer2", "layer3"].map { blocks("key_encoder.\($0)") }
        valueStem = try shape("value_encoder.conv1.weight", rank: 4)[0]
        valuePlanes = try ["layer1", "layer2", "layer3"].map { (name: String) throws(SegmentationError) -> Int in
            try shape("value_encoder.\(name).0.conv1.weight", rank: 4)[0]
        }
        valueBlocks = ["layer1", "layer2", "layer3"].map { blocks("value_encoder.\($0)") }
        keyDim = try shape("key_proj.key_proj.weight", rank: 4)[0]
        valueDim = try shape("key_comp.weight", rank: 4)[0]
        cbamHidden = try shape("value_encoder.fuser.attention.ChannelGate.mlp.1.weight", rank: 2)[0]
        decoderWidths = [try shape("decoder.compress.conv1.weight", rank: 4)[0],
                         try shape("decoder.up_16_8.out_conv.conv1.weight", rank: 4)[0],
                         try shape("decoder.up_8_4.out_conv.conv1.weight", rank: 4)[0]]
        hasMemoryCompression = weights.keys.contains { $0.hasPrefix("mem_compress.") }
        hasLCM = weights.keys.contains { $0.hasPrefix("lcm_position.") }
        hasLCMGuidance = weights.keys.contains { $0.hasPrefix("lcm_guidance.") }
        guard keyBlocks.allSatisfy({ $0 > 0 }), valueBlocks.allSatisfy({ $0 > 0 }) else {
            throw SegmentationError(.badWeights, "a ResNet stage without blocks (key \(keyBlocks), value \(valueBlocks))")
        }
    }

    public init(keyStem: Int, keyPlanes: [Int], keyBlocks: [Int], valueStem: Int, valuePlanes: [Int], valueBlocks: [Int],
                keyDim: Int, valueDim: Int, cbamHidden: Int, decoderWidths: [Int], hasMemoryCompression: Bool) {
        self.keyStem = keyStem
        self.keyPlanes = keyPlanes
        self.keyBlocks = keyBlocks
        self.valueStem = valueStem
        self.valuePlanes = valuePlanes
        self.valueBlocks = valueBlocks
        self.keyDim = keyDim
        self.valueDim = valueDim
        self.cbamHidden = cbamHidden
        self.decoderWidths = decoderWidths
        self.hasMemoryCompression = hasMemoryCompression
    }
}
