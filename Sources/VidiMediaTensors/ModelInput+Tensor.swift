import VidiMedia
import VidiTensor

extension VideoReader {
    /// The model input of `request` as a float32 tensor of the request's shape (`[N, 3, H, W]`,
    /// `[C, T, 3, H, W]` or `[C, 3, T, H, W]`), written by the decoder's converter straight into the
    /// tensor's own storage: no intermediate array, no copy.
    ///
    /// ```swift
    /// let batch = try reader.modelInputTensor(ModelInputRequest(
    ///     frames: .uniform(count: 8), resize: .shorterSide(224), crop: .center(width: 224, height: 224),
    ///     normalization: .clip))   // [8, 3, 224, 224]
    /// ```
    /// `.hwcBytes` is refused (`MediaError.invalidArgument`): VidiTensor has no uint8 dtype; use
    /// `modelInput(_:)` for bytes.
    public func modelInputTensor(_ request: ModelInputRequest) throws -> Tensor {
        guard request.layout != .hwcBytes else {
            throw MediaError.invalidArgument("a tensor needs a float layout (.chw, .tchw, .cthw); VidiTensor has no uint8 dtype")
        }
        let plan = try modelInputPlan(request)
        return try Tensor(unsafeUninitializedShape: plan.shape, as: Float.self) { buffer in
            try fillModelInput(plan, into: UnsafeMutableRawBufferPointer(buffer))
        }
    }
}

extension ModelInput {
    /// The values as a float32 tensor of `shape` (a copy; `VideoReader.modelInputTensor` avoids it).
    /// Bytes become floats 0...255.
    public func tensor() throws -> Tensor {
        switch values {
        case .float32(let v): return try Tensor(v, shape: shape)
        case .bytes(let b): return try Tensor(b.map { Float($0) }, shape: shape)
        }
    }
}
