import VidiTensor

extension Module {
    /// Every parameter and buffer by dotted path, detached — PyTorch's `state_dict()` keys and values.
    public func stateDict() -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (name, parameter) in namedParameters() { result[name] = parameter.value.detached() }
        for (name, buffer) in namedBuffers() { result[name] = buffer.value }
        return result
    }

    /// Loads parameters and buffers by dotted path.
    ///
    /// Shape mismatches always fail; with `strict`, missing and unexpected keys fail too. All problems are
    /// collected into one `StateDictError` and nothing is changed unless the whole load succeeds. Values of
    /// another numeric dtype are converted to the module's (a float64 checkpoint read as float32, an int32
    /// `num_batches_tracked` widened to int64). Returns the keys skipped by a non-strict load.
    @discardableResult
    public func loadStateDict(_ tensors: [String: Tensor], strict: Bool = true) throws(StateDictError)
        -> (missing: [String], unexpected: [String]) {
        let parameters = namedParameters(), buffers = namedBuffers()
        var expected: [String: (shape: [Int], dtype: DType)] = [:]
        for (name, p) in parameters { expected[name] = (p.value.shape, p.value.dtype) }
        for (name, b) in buffers { expected[name] = (b.value.shape, b.value.dtype) }

        var error = StateDictError(path: nil, missingKeys: [], unexpectedKeys: [], shapeMismatches: [], dtypeMismatches: [])
        let ownKeys = parameters.map(\.name) + buffers.map(\.name)
        let missing = ownKeys.filter { tensors[$0] == nil }
        let unexpected = tensors.keys.filter { expected[$0] == nil }.sorted()
        if strict {
            error.missingKeys = missing
            error.unexpectedKeys = unexpected
        }
        var converted: [String: Tensor] = [:]
        for key in ownKeys {
            guard let tensor = tensors[key], let want = expected[key] else { continue }
            guard tensor.shape == want.shape else {
                error.shapeMismatches.append(.init(key: key, expected: want.shape, actual: tensor.shape))
                continue
            }
            if tensor.dtype == want.dtype {
                converted[key] = tensor
            } else if tensor.dtype != .bool, want.dtype != .bool {
                converted[key] = tensor.to(want.dtype)
            } else {
                error.dtypeMismatches.append("\(key) (\(tensor.dtype) for \(want.dtype))")
            }
        }
        guard error.isEmpty else { throw error }
        for (name, p) in parameters {
            if let value = converted[name] { p.value = value.detached().requiresGrad(p.requiresGrad && value.dtype == .float32) }
        }
        for (name, b) in buffers { if let value = converted[name] { b.value = value.detached() } }
        return (missing, unexpected)
    }

    /// Loads a `.safetensors` checkpoint (e.g. one written by `Tools/convert_checkpoint.py`).
    /// Throws `TensorFileError` for an unreadable file and `StateDictError` (with `path`) for a mismatch.
    @discardableResult
    public func loadStateDict(path: String, strict: Bool = true) throws -> (missing: [String], unexpected: [String]) {
        let tensors = try Safetensors.read(path: path)
        do {
            return try loadStateDict(tensors, strict: strict)
        } catch var error {
            error.path = path
            throw error
        }
    }

    /// Writes `stateDict()` as a `.safetensors` file that `safetensors.torch.load_file` reads.
    public func saveStateDict(to path: String, metadata: [String: String]? = nil) throws {
        try Safetensors.write(stateDict(), metadata: metadata, to: path)
    }
}
