import VidiTensor

/// How the memory grows.
public enum MemoryKind: String, Sendable, CaseIterable {
    /// STCN: the first frame plus every memory frame, kept (memory grows linearly with the video).
    case grow
    /// RDE: a recurrent dynamic embedding S updated by SAM at each memory frame; the read memory is
    /// [S, last memory frame, first frame, first frame] (before the first update [first, first]):
    /// constant size whatever the video length.
    case rde
}

/// The memory of one group of objects (those given at the same frame), as STCN's
/// `inference_memory_bank.py` (grow) and RDE-VOS's `inference_memory_bank.py` in mode
/// `two-frames-compress` (rde) keep it. Keys `[1, CK, h, w]`, values `[K, CV, h, w]` per frame.
public final class MemoryBank {
    public let kind: MemoryKind
    let compression: RDEMemoryCompression?
    private var keys: [Tensor] = []        // grow: every memory frame; [CK, hw] each
    private var values: [Tensor] = []      // [K, CV, hw] each
    private var first: (key: Tensor, value: Tensor)?
    private var compressed: (key: Tensor, value: Tensor)?   // [1, CK, 1, h, w], [K, CV, 1, h, w]
    private var last: (key: Tensor, value: Tensor)?

    public init(kind: MemoryKind, compression: RDEMemoryCompression?) throws(SegmentationError) {
        if kind == .rde && compression == nil {
            throw SegmentationError(.badWeights, "--memory rde needs weights with mem_compress.* (an RDE-VOS or Vidi rde checkpoint)")
        }
        self.kind = kind
        self.compression = compression
    }

    /// Memory positions a read looks at.
    public var positions: Int {
        switch kind {
        case .grow: return keys.reduce(0) { $0 + $1.shape[1] }
        case .rde: return first == nil ? 0 : (last == nil ? 2 : 4) * first!.key.shape[1]
        }
    }

    /// Writes one frame: key `[1, CK, h, w]`, values `[K, CV, h, w]`.
    public func add(key: Tensor, value: Tensor) throws {
        let (ck, h, w) = (key.shape[1], key.shape[2], key.shape[3])
        let (k, cv) = (value.shape[0], value.shape[1])
        let flatKey = try key.reshaped([ck, h * w]), flatValue = try value.reshaped([k, cv, h * w])
        switch kind {
        case .grow:
            keys.append(flatKey)
            values.append(flatValue)
        case .rde:
            guard let firstEntry = first else {
                first = (flatKey, flatValue)
                compressed = (try key.reshaped([1, ck, 1, h, w]), try value.reshaped([k, cv, 1, h, w]))
                return
            }
            _ = firstEntry
            guard let compression, let state = compressed else { return }
            let stackedKey = try Tensor.concatenate([state.key, key.reshaped([1, ck, 1, h, w])], axis: 2)
            let stackedValue = try Tensor.concatenate([state.value, value.reshaped([k, cv, 1, h, w])], axis: 2)
            compressed = (try compression.compressKeys(stackedKey).contiguous(),
                          try compression.compressValues(stackedValue).contiguous())
            last = (flatKey, flatValue)
        }
    }

    /// Memory keys `[CK, N]` and values `[K, CV, N]` in the reference's read order.
    public func memory() throws -> (keys: Tensor, values: Tensor) {
        switch kind {
        case .grow:
            return (try Tensor.concatenate(keys, axis: 1), try Tensor.concatenate(values, axis: 2))
        case .rde:
            guard let first, let compressed else {
                throw SegmentationError(.invalidArgument, "memory read before the first frame was written")
            }
            let (ck, k, cv) = (first.key.shape[0], first.value.shape[0], first.value.shape[1])
            let hw = first.key.shape[1]
            let stateKey = try compressed.key.reshaped([ck, hw]), stateValue = try compressed.value.reshaped([k, cv, hw])
            guard let last else {
                return (try Tensor.concatenate([stateKey, first.key], axis: 1),
                        try Tensor.concatenate([stateValue, first.value], axis: 2))
            }
            return (try Tensor.concatenate([stateKey, last.key, first.key, first.key], axis: 1),
                    try Tensor.concatenate([stateValue, last.value, first.value, first.value], axis: 2))
        }
    }

    /// The top-k readout `[K, CV, h, w]` for query key `[1, CK, h, w]`.
    public func read(queryKey: Tensor, topK: Int) throws -> Tensor {
        let (ck, h, w) = (queryKey.shape[1], queryKey.shape[2], queryKey.shape[3])
        let (memoryKeys, memoryValues) = try memory()
        let readout = try MemoryRead.topKReadout(memoryKeys: memoryKeys, queryKeys: queryKey.reshaped([ck, h * w]),
                                                 values: memoryValues, topK: topK)
        return try readout.reshaped([memoryValues.shape[0], memoryValues.shape[1], h, w])
    }
}
