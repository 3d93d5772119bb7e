import Dispatch
import Synchronization

/// Data-parallel loops for kernels.
///
/// Work is cut into chunks of a fixed `grain`, never by thread count, so the chunk boundaries — and any
/// per-chunk partial results a reduction combines in chunk order — are the same on every machine and
/// thread setting. Small jobs (one chunk) run inline on the caller's thread.
public enum Parallel {
    /// Elements per chunk for cheap elementwise work: large enough to amortise dispatch, small enough to balance.
    public static let defaultGrain = 1 << 15

    /// Items per chunk for `count` items of `itemSize` elements each: about `defaultGrain` elements per chunk,
    /// but small enough for at least 8 chunks while a chunk keeps 4096 elements or more. Two cores handed
    /// two uneven chunks (167 + 89 channels) idle on the smaller; eight even the end out. Depends on the shape
    /// only, so chunk boundaries stay the same on every machine.
    public static func balancedGrain(count: Int, itemSize: Int) -> Int {
        let size = Swift.max(1, itemSize)
        let coarsest = Swift.max(1, defaultGrain / size), finest = Swift.max(1, (4096 + size - 1) / size)
        return Swift.max(finest, Swift.min(coarsest, (count + 7) / 8))
    }

    /// Calls `body` once per chunk of `0..<count` (`chunk` index, element `range`), concurrently when there
    /// is more than one chunk, on the caller and `WorkerLanes`' threads. `body` must write only to locations
    /// owned by its chunk. A call from inside a chunk runs its chunks in order on that thread.
    /// `file`/`line` name the call site in `ParallelProfile`'s report.
    public static func forEachChunk(count: Int, grain: Int = defaultGrain, file: StaticString = #fileID, line: UInt = #line,
                                    _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) {
        precondition(grain > 0, "grain must be positive")
        guard count > 0 else { return }
        let chunks = (count + grain - 1) / grain
        if chunks == 1 {
            body(0, 0..<count)
            return
        }
        if ParallelProfile.isEnabled {
            ParallelProfile.run(count: count, grain: grain, chunks: chunks, site: "\(file):\(line)", body)
            return
        }
        // A loop inside a chunk of a lanes loop runs inline: its lane is already one of the budget's threads.
        if WorkerLanes.isInsideLoop {
            runInOrder(count: count, grain: grain, chunks: chunks, body)
            return
        }
        let threads = ComputeBudget.threads, lanes = min(chunks, threads)
        if WorkerLanes.shared.tryRun(count: count, grain: grain, chunks: chunks, lanes: lanes, threads: threads, body) {
            return
        }
        // Another caller owns the lanes (pipeline workers, retrieval, concurrent tasks): Dispatch's threads.
        withoutActuallyEscaping(body) { body in
            // concurrentPerform wants a @Sendable closure; `body` is only called for disjoint chunks and
            // does not outlive this call, which is the guarantee Sendable would give.
            nonisolated(unsafe) let body = body
            // At most `lanes` chunks at once (the compute budget); each lane takes the next chunk nobody has
            // taken, so a lane that the OS preempts (a shared machine) or that got cheap chunks does not
            // leave the other idle at the end. Chunk boundaries do not depend on the lanes or on who runs a
            // chunk, so results do not either.
            let next = Atomic<Int>(0)
            DispatchQueue.concurrentPerform(iterations: lanes) { _ in
                while true {
                    let chunk = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard chunk < chunks else { break }
                    body(chunk, chunkRange(chunk, grain: grain, count: count))
                }
            }
        }
    }

    /// The elements of chunk `chunk` of `0..<count` cut into chunks of `grain`.
    static func chunkRange(_ chunk: Int, grain: Int, count: Int) -> Range<Int> {
        (chunk * grain)..<Swift.min((chunk + 1) * grain, count)
    }

    /// Every chunk in order on the calling thread.
    static func runInOrder(count: Int, grain: Int, chunks: Int, _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) {
        for chunk in 0..<chunks { body(chunk, chunkRange(chunk, grain: grain, count: count)) }
    }

    /// Maps each chunk to a partial result and returns the partials in chunk order (for deterministic reductions).
    public static func mapChunks<P>(count: Int, grain: Int = defaultGrain, file: StaticString = #fileID, line: UInt = #line,
                                    _ body: (_ range: Range<Int>) -> P) -> [P] {
        let chunks = count > 0 ? (count + grain - 1) / grain : 0
        var partials = [P?](repeating: nil, count: chunks)
        partials.withUnsafeMutableBufferPointer { slots in
            let base = slots.baseAddress
            forEachChunk(count: count, grain: grain, file: file, line: line) { chunk, range in
                base?[chunk] = body(range)
            }
        }
        return partials.compactMap { $0 }  // every slot was filled above
    }
}
