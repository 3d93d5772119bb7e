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

/// The cache's bound on what it keeps (`StorageCache.Pool`), driven with made-up addresses so no other
/// test's allocations interfere. Expected values follow from the policy stated on `Pool`: live plus cached
/// bytes stay within 1.25× the recent live peak, and sizes not requested for two epochs are freed.
@Suite struct StorageCachePoolTests {
    static let mib = 1 << 20

    /// Takes `sizes` (all misses or hits), then frees them; returns how many requests were hits.
    @discardableResult
    static func pass(_ pool: inout StorageCache.Pool, _ sizes: [Int], next address: inout UInt, evicted: inout [UInt]) -> Int {
        var held: [(UInt, Int)] = [], hits = 0
        for size in sizes {
            if let block = pool.take(size, evicted: &evicted) {
                hits += 1
                held.append((block, size))
            } else {
                address += 1
                held.append((address, size))
            }
        }
        for (block, size) in held { pool.recycle(block, classBytes: size, evicted: &evicted) }
        return hits
    }

    @Test func aSteadyLoopReusesEveryBlockAfterItsFirstPass() {
        var pool = StorageCache.Pool(capacity: 1 << 30, epochLength: 64)
        var address: UInt = 0, evicted: [UInt] = []
        let sizes = [4, 2, 2, 1, 4, 3].map { $0 * Self.mib }
        #expect(Self.pass(&pool, sizes, next: &address, evicted: &evicted) == 0)
        for _ in 0..<50 { #expect(Self.pass(&pool, sizes, next: &address, evicted: &evicted) == sizes.count) }
        #expect(evicted.isEmpty)
        #expect(pool.cachedBytes == 16 * Self.mib && pool.liveBytes == 0)
    }

    @Test func aGrowingSizeLeavesAtMostAQuarterOfThePeakCached() {
        var pool = StorageCache.Pool(capacity: 1 << 30, epochLength: 1 << 20)
        var address: UInt = 0, evicted: [UInt] = []
        // Each "frame" asks for a larger block than the last (a memory that grows), plus a steady one.
        for frame in 1...40 {
            Self.pass(&pool, [frame * Self.mib, 3 * Self.mib], next: &address, evicted: &evicted)
            let peak = (frame + 3) * Self.mib
            #expect(pool.recentPeak == peak)
            #expect(pool.cachedBytes <= peak + peak / 4, "frame \(frame): \(pool.cachedBytes) cached")
        }
        // A fixed cap would have kept all 40 sizes: 820 MiB + 3 MiB.
        #expect(pool.cachedBytes <= 54 * Self.mib)
        #expect(evicted.count >= 30)
    }

    @Test func cachedBytesFallWhenBigBlocksAreNoLongerRequested() {
        var pool = StorageCache.Pool(capacity: 1 << 30, epochLength: 16)
        var address: UInt = 0, evicted: [UInt] = []
        // A big phase: eight 8 MiB blocks live at once, then freed into the cache.
        Self.pass(&pool, Array(repeating: 8 * Self.mib, count: 8), next: &address, evicted: &evicted)
        #expect(pool.cachedBytes == 64 * Self.mib)
        // A small steady phase: once the big size is two epochs old its blocks go.
        for _ in 0..<40 { Self.pass(&pool, [Self.mib], next: &address, evicted: &evicted) }
        #expect(pool.cachedBytes == Self.mib)
        #expect(pool.recentPeak == Self.mib)
        #expect(evicted.count == 8)
    }

    @Test func theCapacityCapsCachedBytesAndOversizedBlocksAreFreed() {
        var pool = StorageCache.Pool(capacity: 10 * Self.mib, epochLength: 1 << 20)
        var address: UInt = 0, evicted: [UInt] = []
        Self.pass(&pool, Array(repeating: 4 * Self.mib, count: 4) + [16 * Self.mib], next: &address, evicted: &evicted)
        #expect(pool.cachedBytes == 8 * Self.mib)
        #expect(evicted.count == 3)                              // the 16 MiB block and two 4 MiB ones
        #expect(pool.releaseAll(evicted: &evicted) == 8 * Self.mib)
        #expect(pool.cachedBytes == 0 && evicted.count == 5)
    }
}
