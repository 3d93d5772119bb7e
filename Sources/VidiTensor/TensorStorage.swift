import Glibc
import Synchronization

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

    /// Allocates `byteCount` zeroed bytes, 64-byte aligned (a reused block is cleared here too).
    public init(byteCount: Int) {
        precondition(byteCount >= 0, "negative byte count")
        self.byteCount = byteCount
        blockBytes = StorageCache.sizeClass(byteCount)
        base = Self.allocate(blockBytes)
        Self.zero(base, byteCount: max(byteCount, 1))
        isReadOnly = false
        deallocator = nil
        adopted = false
    }

    /// Bytes per chunk when zeroing in parallel: one serial memset of a 25 MB gradient left the second core idle.
    private static let zeroChunkBytes = 1 << 19

    /// Clears `byteCount` bytes, split across the cores when there are several chunks' worth.
    private static func zero(_ base: UnsafeMutableRawPointer, byteCount: Int) {
        Parallel.forEachChunk(count: byteCount, grain: zeroChunkBytes) { _, range in
            (base + range.lowerBound).initializeMemory(as: UInt8.self, repeating: 0, count: range.count)
        }
    }

    /// Allocates without zeroing, for kernel outputs that write every element before anyone reads them
    /// (skips a full memory pass on large outputs).
    init(uninitializedByteCount byteCount: Int) {
        precondition(byteCount >= 0, "negative byte count")
        self.byteCount = byteCount
        blockBytes = StorageCache.sizeClass(byteCount)
        base = Self.allocate(blockBytes)
        isReadOnly = false
        deallocator = nil
        adopted = false
    }

    /// Large blocks are 2 MiB aligned and marked for transparent huge pages (as NumPy does): first-touch
    /// page faults on a fresh 64 MB tensor otherwise cost more than the kernel that fills it.
    private static let hugePageThreshold = 4 << 20
    private static let hugePageSize = 2 << 20

    private static func allocate(_ byteCount: Int) -> UnsafeMutableRawPointer {
        if let block = StorageCache.take(byteCount) { return block }
        // At least one byte, so empty tensors still own a valid pointer.
        guard byteCount >= hugePageThreshold else {
            return UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: alignment)
        }
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: hugePageSize)
        // Advice only; on failure (no THP support) the memory is simply backed by small pages.
        _ = madvise(pointer, byteCount / 4096 * 4096, MADV_HUGEPAGE)
        return pointer
    }

    /// Adopts external memory. `deallocator` runs once, when the storage is freed
    /// (e.g. `munmap`); pass nil for memory that outlives every tensor.
    public init(adopting base: UnsafeMutableRawPointer, byteCount: Int, isReadOnly: Bool,
                deallocator: (@Sendable (UnsafeMutableRawPointer, Int) -> Void)?) {
        self.base = base
        self.byteCount = byteCount
        self.isReadOnly = isReadOnly
        self.deallocator = deallocator
        blockBytes = byteCount
        adopted = true
    }

    /// Counts in-place writes made through `Tensor` (`noteWrite()`), so values derived from the bytes
    /// (`derived(key:byteCount:make:)`) know when they are stale.
    let writeCount = Atomic<UInt64>(0)
    /// Values derived from the bytes and kept with them, newest last (see `TensorStorage+Derived.swift`).
    let derivedValues = Mutex<[DerivedValue]>([])

    /// Adopted memory goes back through `deallocator`; owned memory is freed here.
    private let adopted: Bool
    /// Bytes actually allocated for owned storage: `byteCount` rounded up to the cache's size class.
    private let blockBytes: Int

    deinit {
        if adopted {
            deallocator?(base, byteCount)
        } else {
            StorageCache.recycle(base, classBytes: blockBytes)
        }
    }

    /// The bytes as typed elements; `T` must match what the storage holds.
    @inlinable
    public func pointer<T>(as type: T.Type) -> UnsafeMutablePointer<T> {
        base.assumingMemoryBound(to: T.self)
    }
}
