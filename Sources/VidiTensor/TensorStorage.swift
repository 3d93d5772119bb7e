/// A block of raw bytes that one or more `Tensor` values view.
///
/// Owned storage is 64-byte aligned (a cache line; what AVX-512 loads and OpenBLAS like). Adopted storage
/// wraps memory someone else allocated (a memory-mapped safetensors file) and releases it through the
/// given deallocator when the last tensor viewing it goes away.
///
/// `@unchecked Sendable` is safe because the bytes are only ever written through a `Tensor` that holds the
/// sole reference (`Tensor`'s copy-on-write checks `isKnownUniquelyReferenced` before handing out a mutable
/// pointer, and copies read-only storage unconditionally), or by a kernel filling storage it has just
/// allocated and not yet shared. Storage reachable from more than one task is therefore never written.
public final class TensorStorage: @unchecked Sendable {
    public static let alignment = 64

    /// Start of the bytes.
    public let base: UnsafeMutableRawPointer
    public let byteCount: Int
    /// True for adopted memory that must never be written (e.g. a read-only file mapping).
    public let isReadOnly: Bool
    private let deallocator: (@Sendable (UnsafeMutableRawPointer, Int) -> Void)?

    /// Allocates `byteCount` zeroed bytes, 64-byte aligned.
    public init(byteCount: Int) {
        precondition(byteCount >= 0, "negative byte count")
        self.byteCount = byteCount
        // Allocate at least one byte so empty tensors still own a valid pointer.
        base = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: Self.alignment)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: max(byteCount, 1))
        isReadOnly = false
        deallocator = nil
        adopted = false
    }

    /// Adopts external memory. `deallocator` runs once, when the storage is freed
    /// (e.g. `munmap`); pass nil for memory that outlives every tensor.
    public init(adopting base: UnsafeMutableRawPointer, byteCount: Int, isReadOnly: Bool,
                deallocator: (@Sendable (UnsafeMutableRawPointer, Int) -> Void)?) {
        self.base = base
        self.byteCount = byteCount
        self.isReadOnly = isReadOnly
        self.deallocator = deallocator
        adopted = true
    }

    /// Adopted memory goes back through `deallocator`; owned memory is freed here.
    private let adopted: Bool

    deinit {
        if adopted {
            deallocator?(base, byteCount)
        } else {
            base.deallocate()
        }
    }

    /// The bytes as typed elements; `T` must match what the storage holds.
    @inlinable
    public func pointer<T>(as type: T.Type) -> UnsafeMutablePointer<T> {
        base.assumingMemoryBound(to: T.self)
    }
}
