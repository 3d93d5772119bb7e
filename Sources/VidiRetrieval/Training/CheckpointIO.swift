import VidiFormats
import VidiNN
import VidiTensor

/// Saving a model's state dict, optionally as float16 (the bundled model: half the bytes).
public enum CheckpointIO {
    public static func save(_ model: Module, to path: String, halfPrecision: Bool, metadata: [String: String]? = nil) throws {
        guard halfPrecision else { return try model.saveStateDict(to: path, metadata: metadata) }
        var infos: [SafetensorsTensorInfo] = [], payloads: [[UInt8]] = []
        for (name, tensor) in model.stateDict().sorted(by: { $0.key < $1.key }) {
            let values = tensor.to(.float32).contiguous().scalars
            var bytes = [UInt8](); bytes.reserveCapacity(values.count * 2)
            for v in values {
                let bits = Float16(v).bitPattern
                bytes.append(UInt8(bits & 0xFF)); bytes.append(UInt8(bits >> 8))
            }
            infos.append(SafetensorsTensorInfo(name: name, dtype: .float16, shape: tensor.shape))
            payloads.append(bytes)
        }
        try SafetensorsWriter.write(infos, payloads: payloads, metadata: metadata, to: path)
    }
}
