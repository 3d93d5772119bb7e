import Foundation
import Glibc
import Synchronization

/// Keeps freed tensor blocks for reuse (a caching allocator, as PyTorch's CPU allocator and most
/// frameworks do). A forward pass frees activations as fast as it makes them; without reuse every fresh
/// activation comes back from the kernel as new zero-filled pages, and clearing them cost ~16% of
/// ResNet-50 inference. Blocks are binned in size classes (8 per power of two, so a block is at most
/// 12.5% larger than asked). What the cache may keep is bounded by the working set (see `Pool`) and by
/// `capacity`. A reused block is never handed out where zeros are promised without being zeroed again
/// (`TensorStorage.init(byteCount:)` clears what it takes).
enum StorageCache {
    /// Blocks below this size go straight to malloc, whose own bins already reuse them cheaply.
    static let minimumBytes = 64 << 10

    /// Most bytes kept: `VIDI_TENSOR_CACHE_MB` if set (0 turns caching off), else an eighth of physical
    /// memory up to 2 GiB.
    static let capacity: Int = {
        if let text = ProcessInfo.processInfo.environment["VIDI_TENSOR_CACHE_MB"], let mb = Int(text), mb >= 0 {
            return mb << 20
        }
        return Int(min(ProcessInfo.processInfo.physicalMemory / 8, 2 << 30))
    }()

    private static let pool = Mutex(Pool(capacity: capacity))

    /// The block size a request of `byteCount` bytes gets: rounded up to one of 8 steps per power of two.
    static func sizeClass(_ byteCount: Int) -> Int {
        guard byteCount > minimumBytes else { return byteCount }
        let top = Int.bitWidth - 1 - byteCount.leadingZeroBitCount        // floor(log2)
        let step = 1 << (top - 3)
        return (byteCount + step - 1) / step * step
    }

    /// A cached block of exactly `classBytes`, or nil (the caller then allocates one). Every request of a
    /// cacheable size goes through here, so the pool knows the live bytes.
    static func take(_ classBytes: Int) -> UnsafeMutableRawPointer? {
        guard capacity > 0, classBytes > minimumBytes else { return nil }
        var evicted: [UInt] = []
        let address = pool.withLock { $0.take(classBytes, evicted: &evicted) }
        free(evicted)
        return address.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }
    }

    /// Keeps `block` (of `classBytes`) for reuse, or frees it (or older blocks) to stay within the bounds.
    static func recycle(_ block: UnsafeMutableRawPointer, classBytes: Int) {
        guard capacity > 0, classBytes > minimumBytes else { return block.deallocate() }
        var evicted: [UInt] = []
        pool.withLock { $0.recycle(UInt(bitPattern: block), classBytes: classBytes, evicted: &evicted) }
        free(evicted)
    }

    private static func free(_ blocks: [UInt]) {
        for block in blocks { UnsafeMutableRawPointer(bitPattern: block)?.deallocate() }
    }

    /// Frees every cached block (memory pressure, or a long idle phase); returns the bytes released.
    @discardableResult
    static func releaseAll() -> Int {
        var evicted: [UInt] = []
        let bytes = pool.withLock { $0.releaseAll(evicted: &evicted) }
        free(evicted)
        return bytes
    }

    /// Bytes held for reuse now.
    static var cachedBytes: Int { pool.withLock { $0.cachedBytes } }
}

extension TensorStorage {
    /// Frees the blocks the tensor allocator keeps for reuse (call under memory pressure, or after a
    /// large computation when the process goes on with little memory); returns the bytes released.
    @discardableResult
    public static func releaseCachedMemory() -> Int { StorageCache.releaseAll() }

    /// Bytes of freed tensor storage kept for reuse.
    public static var cachedMemoryBytes: Int { StorageCache.cachedBytes }
}
