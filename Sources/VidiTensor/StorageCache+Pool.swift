extension StorageCache {
    /// The cache's bookkeeping as a plain value (blocks as integer addresses), so the policy is testable
    /// without touching memory and the state is `Sendable` behind the mutex.
    ///
    /// Why the bound: a cache that keeps whatever is freed up to a fixed cap holds blocks of sizes the
    /// program no longer asks for. A VOS memory that grows every frame leaves each old size behind (2.9 GB
    /// peak RSS against 1.2 GB with the cache off), and even a steady run keeps the blocks of its first,
    /// larger phase. Reuse only needs what one pass of the caller's loop frees, and that is bounded by the
    /// pass's peak of live bytes. So live plus cached bytes may exceed the recent peak of live bytes by at
    /// most a quarter (room for blocks of sizes not in use at the peak moment); a request that misses first
    /// frees blocks of the least recently requested sizes. "Recent" counts requests, not time: the peak is
    /// the larger of this epoch's and the previous one's, so a finished large computation stops counting
    /// after two epochs, and a size not requested for two epochs is freed outright.
    struct Pool: Sendable {
        /// Most bytes cached at all (`StorageCache.capacity`).
        let capacity: Int
        /// Requests per epoch.
        let epochLength: Int
        /// Bytes in cached blocks.
        private(set) var cachedBytes = 0
        /// Bytes in blocks handed out and not yet recycled.
        private(set) var liveBytes = 0
        private var blocks: [Int: [UInt]] = [:]
        /// When each size class was last asked for (a request count).
        private var lastRequest: [Int: Int] = [:]
        private var requests = 0
        private var epochPeak = 0
        private var previousEpochPeak = 0

        init(capacity: Int, epochLength: Int = 4096) {
            self.capacity = capacity
            self.epochLength = max(1, epochLength)
        }

        /// The largest live bytes seen in this epoch and the previous one.
        var recentPeak: Int { max(epochPeak, previousEpochPeak) }

        /// Most bytes live and cached together.
        var heldLimit: Int { recentPeak + recentPeak / 4 }

        /// A cached block of `classBytes` (its address), or nil: the caller allocates one. Either way the
        /// block is live from now on. Blocks to free go to `evicted`.
        mutating func take(_ classBytes: Int, evicted: inout [UInt]) -> UInt? {
            requests += 1
            lastRequest[classBytes] = requests
            liveBytes += classBytes
            epochPeak = max(epochPeak, liveBytes)
            let block = blocks[classBytes]?.popLast()
            if block != nil {
                if blocks[classBytes]?.isEmpty == true { blocks[classBytes] = nil }
                cachedBytes -= classBytes
            }
            if requests % epochLength == 0 {
                endEpoch(evicted: &evicted)
            } else if block == nil {
                trim(evicted: &evicted)             // a fresh block joins the live bytes: make room for it
            }
            return block
        }

        /// A live block of `classBytes` is freed: keep it for reuse unless the bounds say otherwise.
        mutating func recycle(_ block: UInt, classBytes: Int, evicted: inout [UInt]) {
            liveBytes -= classBytes
            guard classBytes <= capacity else { return evicted.append(block) }
            blocks[classBytes, default: []].append(block)
            cachedBytes += classBytes
            trim(evicted: &evicted)
        }

        /// Gives up every cached block; returns their bytes.
        mutating func releaseAll(evicted: inout [UInt]) -> Int {
            let bytes = cachedBytes
            for list in blocks.values { evicted += list }
            blocks = [:]
            cachedBytes = 0
            return bytes
        }

        /// Frees blocks of the least recently requested sizes while over either bound.
        private mutating func trim(evicted: inout [UInt]) {
            let limit = heldLimit
            while cachedBytes > 0, liveBytes + cachedBytes > limit || cachedBytes > capacity {
                guard let size = blocks.keys.min(by: { lastRequest[$0, default: 0] < lastRequest[$1, default: 0] }),
                      let block = blocks[size]?.popLast() else { break }
                if blocks[size]?.isEmpty == true { blocks[size] = nil }
                evicted.append(block)
                cachedBytes -= size
            }
        }

        /// Starts a new epoch: the older peak ages out, and sizes not requested for two epochs are freed.
        private mutating func endEpoch(evicted: inout [UInt]) {
            previousEpochPeak = epochPeak
            epochPeak = liveBytes
            let staleBefore = requests - 2 * epochLength
            for size in Array(blocks.keys) where lastRequest[size, default: 0] <= staleBefore {
                let list = blocks.removeValue(forKey: size) ?? []
                evicted += list
                cachedBytes -= size * list.count
            }
            lastRequest = lastRequest.filter { $0.value > staleBefore }
            trim(evicted: &evicted)
        }
    }
}
