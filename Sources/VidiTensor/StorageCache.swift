import Foundation
import Glibc
import Synchronization

/// Keeps freed tensor blocks for reuse (a caching allocator, as PyTorch's CPU allocator and most
/// frameworks do). A forward pass frees activations as fast as it makes them; without reuse every fresh
/// activation comes back from the kernel as new zero-filled pages, and clearing them cost ~16% of
/// ResNet-50 inference. Blocks are binned in size classes (8 per power of two, so a block is at most
/// 12.5% larger than asked); the cache holds at most `capacity` bytes and frees blocks beyond it.
/// A reused block is never handed out where zeros are promised without being zeroed again
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

    /// Blocks by class size, as addresses (plain integers, so the state is Sendable for the mutex).
    private struct State {
        var blocks: [Int: [UInt]] = [:]
        var cachedBytes = 0
    }

    private static let state = Mutex(State())

    /// The block size a request of `byteCount` bytes gets: rounded up to one of 8 steps per power of two.
    static func sizeClass(_ byteCount: Int) -> Int {
        guard byteCount > minimumBytes else { return byteCount }
        let top = Int.bitWidth - 1 - byteCount.leadingZeroBitCount        // floor(log2)
        let step = 1 << (top - 3)
        return (byteCount + step - 1) / step * step
    }

    /// A cached block of exactly `classBytes`, or nil.
    static func take(_ classBytes: Int) -> UnsafeMutableRawPointer? {
        guard capacity > 0, classBytes > minimumBytes else { return nil }
        let address: UInt? = state.withLock { state in
            guard let block = state.blocks[classBytes]?.popLast() else { return nil }
            state.cachedBytes -= classBytes
            return block
        }
        return address.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }
    }

    /// Keeps `block` (of `classBytes`) for reuse; frees it, or older blocks, to stay within `capacity`.
    static func recycle(_ block: UnsafeMutableRawPointer, classBytes: Int) {
        guard capacity > 0, classBytes > minimumBytes, classBytes <= capacity else { return block.deallocate() }
        let address = UInt(bitPattern: block)
        let evicted: [UInt] = state.withLock { state in
            var evicted: [UInt] = []
            // Over capacity: drop blocks of other sizes first (shapes that went out of use).
            for size in state.blocks.keys where state.cachedBytes + classBytes > capacity && size != classBytes {
                while state.cachedBytes + classBytes > capacity, let old = state.blocks[size]?.popLast() {
                    evicted.append(old)
                    state.cachedBytes -= size
                }
            }
            while state.cachedBytes + classBytes > capacity, let old = state.blocks[classBytes]?.popLast() {
                evicted.append(old)
                state.cachedBytes -= classBytes
            }
            state.blocks[classBytes, default: []].append(address)
            state.cachedBytes += classBytes
            return evicted
        }
        for old in evicted { UnsafeMutableRawPointer(bitPattern: old)?.deallocate() }
    }

    /// Frees every cached block (memory pressure, or a long idle phase); returns the bytes released.
    @discardableResult
    static func releaseAll() -> Int {
        let (blocks, bytes) = state.withLock { state in
            let all = state.blocks.values.flatMap { $0 }
            let bytes = state.cachedBytes
            state.blocks = [:]
            state.cachedBytes = 0
            return (all, bytes)
        }
        for block in blocks { UnsafeMutableRawPointer(bitPattern: block)?.deallocate() }
        return bytes
    }

    /// Bytes held for reuse now.
    static var cachedBytes: Int { state.withLock { $0.cachedBytes } }
}

extension TensorStorage {
    /// Frees the blocks the tensor allocator keeps for reuse (call under memory pressure, or after a
    /// large computation when the process goes on with little memory); returns the bytes released.
    @discardableResult
    public static func releaseCachedMemory() -> Int { StorageCache.releaseAll() }

    /// Bytes of freed tensor storage kept for reuse.
    public static var cachedMemoryBytes: Int { StorageCache.cachedBytes }
}
