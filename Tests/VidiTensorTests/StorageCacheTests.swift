import Testing
@testable import VidiTensor

/// The caching allocator behind `TensorStorage`: blocks are reused, and a reused block never shows its
/// old bytes where zeros are promised.
@Suite struct StorageCacheTests {
    @Test func sizeClassesRoundUpByAtMostAnEighth() {
        for bytes in [1, 4096, StorageCache.minimumBytes] { #expect(StorageCache.sizeClass(bytes) == bytes) }
        for bytes in [StorageCache.minimumBytes + 1, 100_000, 1 << 20, (1 << 20) + 1, 3 * 1_234_567, 25_690_112] {
            let block = StorageCache.sizeClass(bytes)
            #expect(block >= bytes && Double(block) <= Double(bytes) * 1.125, "\(bytes) → \(block)")
            #expect(StorageCache.sizeClass(block) == block, "a class size is its own class")
        }
    }

    @Test func reusedBlocksAreZeroedWhenZerosArePromised() throws {
        for _ in 0..<4 {
            do { _ = Tensor.full([300, 1000], value: 7) }                      // freed: its block goes to the cache
            let zeros = Tensor.zeros([300, 1000])
            #expect(zeros.scalars.allSatisfy { $0 == 0 })
            let sum = try Tensor.ones([299, 1001]).sum().item()               // a neighbouring size class reuses too
            #expect(sum == 299 * 1001)
        }
    }

    @Test func releasingTheCacheLeavesTensorsIntact() throws {
        let kept = Tensor.full([512, 512], value: 3)
        do { _ = Tensor.full([512, 512], value: 5) }
        TensorStorage.releaseCachedMemory()
        #expect(TensorStorage.cachedMemoryBytes >= 0)
        #expect(try kept.sum().item() == 3 * 512 * 512)
    }
}
