/// The inference epilogue of a convolution block in one pass: per-channel `x·scale + shift` (BatchNorm in
/// evaluation mode), then `+ residual`, then ReLU. Run one after another these are three to four passes
/// over the activations, each with a fresh output; here it is one, written in place when this tensor is
/// the only owner of its storage.
extension Tensor {
    /// `relu?((x · scale + shift) + residual)` with `scale`, `shift` `[C]` applied along axis 1 of
    /// `[N, C, …]` float32 input, rounded step by step exactly as those ops are (same values, bit for bit).
    /// When autograd must record (grad enabled and an input requires grad), or the operands are not the
    /// plain shapes above, it runs as those separate ops instead.
    public consuming func channelAffine(scale: Tensor, shift: Tensor, residual: Tensor? = nil, relu: Bool = false) throws -> Tensor {
        let channels = rank >= 2 ? shape[1] : 0
        let needsGrad = Autograd.isGradEnabled
            && (requiresGrad || scale.requiresGrad || shift.requiresGrad || (residual?.requiresGrad ?? false))
        let plain = rank >= 2 && dtype == .float32 && scale.dtype == .float32 && shift.dtype == .float32
            && scale.shape == [channels] && shift.shape == [channels]
            && (residual.map { $0.shape == shape && $0.dtype == .float32 } ?? true)
        guard plain, !needsGrad else {
            let channelShape = rank >= 2 ? [channels] + Array(repeating: 1, count: rank - 2) : scale.shape
            var y = try self * scale.reshaped(channelShape) + shift.reshaped(channelShape)
            if let residual { y = try y + residual }
            return relu ? try y.relu() : y
        }
        if !isContiguous { self = contiguousData() }
        gradNode = nil
        // Write in place only into storage nobody else sees; otherwise one pass into a new tensor.
        let inPlace = isKnownUniquelyReferenced(&storage) && !storage.isReadOnly
        let fresh: Tensor? = inPlace ? nil : Tensor(uninitialized: shape, dtype: .float32)
        if inPlace { storage.noteWrite() }
        let s = scale.contiguousData(), t = shift.contiguousData(), r = residual?.contiguousData()
        let source = typedPointer(Float.self)
        let destination = fresh?.typedPointer(Float.self) ?? source
        let planes = shape[0] * channels, planeSize = elementCount / Swift.max(1, shape[0] * channels)
        withExtendedLifetime((s, t, r)) {
            CPUKernels.channelAffine(source, into: destination,
                                     scale: s.typedPointer(Float.self), shift: t.typedPointer(Float.self),
                                     residual: r.map { UnsafePointer($0.typedPointer(Float.self)) },
                                     planes: planes, channels: channels, planeSize: planeSize, relu: relu)
        }
        if let fresh { return fresh }
        return self
    }
}
