import VidiNN
import VidiTensor

/// The seeded formula weights of `Tools/goldens/make_vos_goldens.py` (`formula_state`), rebuilt here so the
/// golden tests need no committed checkpoint: each tensor is a pure function of its state-dict key and shape
/// (SplitMix64 of FNV-1a(key) ^ seed -> uniform [-1, 1) in float32, times the script's scale rules).
enum ReferenceWeights {
    static let seed: UInt64 = 2022

    static func fnv1a(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x100_0000_01B3
        }
        return h
    }

    static func uniform(_ key: String, count: Int) -> [Float] {
        let s = fnv1a(key) ^ seed
        return (0..<count).map { i in
            var z = s &+ UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            let u = Float(z >> 40) * 0x1p-24
            return 2 * u - 1
        }
    }

    static func factor(_ key: String) -> Double {
        if key == "key_proj.key_proj.weight" { return 0.5 }
        if key == "decoder.pred.weight" { return 4 }
        if key.hasSuffix("conv2.weight") && (key.hasPrefix("value_encoder.fuser") || key.hasPrefix("decoder")) { return 0.3 }
        if key.hasPrefix("mem_compress") && (key.hasSuffix(".W.weight") || key.hasSuffix("conv1.conv1.weight")) { return 0.3 }
        return 1
    }

    static func isDampedBatchNorm(_ key: String) -> Bool {
        let parts = key.split(separator: ".")
        if key.hasPrefix("key_encoder."), parts[parts.count - 2] == "bn3" { return true }
        return key.hasPrefix("value_encoder.layer") && parts[parts.count - 2] == "bn2"
    }

    /// The formula state dict for `module`, whose keys are prefixed by `prefix` in the full network.
    static func state(for module: Module, prefix: String = "") throws -> [String: Tensor] {
        var shapes: [String: [Int]] = [:]
        for (name, parameter) in module.namedParameters() { shapes[prefix + name] = parameter.value.shape }
        for (name, buffer) in module.namedBuffers() { shapes[prefix + name] = buffer.value.shape }
        var out: [String: Tensor] = [:]
        for (key, shape) in shapes {
            let owner = key.split(separator: ".").dropLast().joined(separator: ".")
            let isBatchNorm = shapes[owner + ".running_mean"] != nil
            let count = shape.reduce(1, *)
            let value: Tensor
            if key.hasSuffix("num_batches_tracked") {
                value = Tensor.zeros(shape, dtype: .int64)
            } else if key.hasSuffix("running_mean") || (isBatchNorm && key.hasSuffix(".bias")) {
                value = Tensor.zeros(shape)
            } else if key.hasSuffix("running_var") {
                value = Tensor.ones(shape)
            } else if isBatchNorm && key.hasSuffix(".weight") {
                value = Tensor.full(shape, value: isDampedBatchNorm(key) ? Float(0.2) : Float(1))
            } else if shape.count >= 2 {
                let fanIn = shape.dropFirst().reduce(1, *)
                let scale = Float((3.0 / Double(fanIn)).squareRoot() * factor(key))
                var values = uniform(key, count: count).map { $0 * scale }
                if key == "value_encoder.conv1.weight" {
                    let perOutput = fanIn, perChannel = shape[2] * shape[3]
                    for o in 0..<shape[0] {
                        for i in (3 * perChannel)..<perOutput { values[o * perOutput + i] *= 8 }
                    }
                }
                value = try Tensor(values, shape: shape)
            } else {
                value = try Tensor(uniform(key, count: count).map { $0 * 0.05 }, shape: shape)
            }
            out[String(key.dropFirst(prefix.count))] = value
        }
        return out
    }
}
