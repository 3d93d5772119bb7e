/// Values computed from a storage's bytes and kept with them while the bytes are unchanged: a convolution
/// regroups its weights into one matrix per kernel tap on every call otherwise (≈ 90 MB of scattered
/// memory traffic per ResNet-50 forward), although weights change only at an optimizer step or a load.
///
/// Every in-place write through `Tensor` bumps the storage's write count (`Tensor.makeUniqueContiguous`,
/// which `withUnsafeMutableBufferPointer`, optimizers and gradient accumulation go through, and
/// `channelAffine`'s in-place pass); a derived value made at another count is rebuilt. Fresh storage starts
/// with no derived values, so `assign` and `loadStateDict`, which swap in new storage, need no bump.
struct DerivedValue {
    /// What was derived and from where: the kind of transform, the view's offset and the shape parameters.
    let key: [Int]
    let writeCount: UInt64
    let storage: TensorStorage
}

extension TensorStorage {
    /// Derived values kept per storage (different transforms of one weight, e.g. forward and backward layouts).
    private static let derivedLimit = 4

    /// Marks the bytes as changed: derived values made before are stale.
    func noteWrite() {
        writeCount.wrappingAdd(1, ordering: .relaxed)
    }

    /// The value derived under `key` at the current write count: the kept one, or a new `byteCount`-byte
    /// block that `make` fills from these bytes (and which is then kept). Concurrent readers of unchanged
    /// bytes may both build it; either result is the same.
    func derived(key: [Int], byteCount: Int, make: (UnsafeMutableRawPointer) -> Void) -> TensorStorage {
        let count = writeCount.load(ordering: .relaxed)
        if let kept = derivedValues.withLock({ values in values.first { $0.key == key && $0.writeCount == count } }) {
            return kept.storage
        }
        let value = TensorStorage(uninitializedByteCount: byteCount)
        make(value.base)
        derivedValues.withLock { values in
            values.removeAll { $0.key == key || $0.writeCount != count }
            if values.count >= Self.derivedLimit { values.removeFirst() }
            values.append(DerivedValue(key: key, writeCount: count, storage: value))
        }
        return value
    }
}

/// The first element of a `DerivedValue` key: which transform made it.
enum DerivedKind {
    /// Convolution weights `[C_out, C_in/groups, taps]` regrouped as one matrix per tap (`ShiftedLayout`).
    static let weightsPerTap = 1
    /// 3×3 weights transformed for Winograd F(2×2, 3×3), `[16, C_out, C_in]` (`WinogradLayout`).
    static let winogradWeights = 2
    /// The same for the input gradient's adjoint convolution (kernel turned by 180°, channels swapped).
    static let winogradInputGradientWeights = 3
}
