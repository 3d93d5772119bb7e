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

    /// Calls `body` once per chunk of `0..<count` (`chunk` index, element `range`), concurrently when there
    /// is more than one chunk. `body` must write only to locations owned by its chunk.
    public static func forEachChunk(count: Int, grain: Int = defaultGrain, _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) {
        precondition(grain > 0, "grain must be positive")
        guard count > 0 else { return }
        let chunks = (count + grain - 1) / grain
        if chunks == 1 {
            body(0, 0..<count)
            return
        }
        let lanes = min(chunks, ComputeBudget.threads)
        if lanes == 1 {
            for chunk in 0..<chunks { body(chunk, (chunk * grain)..<min((chunk + 1) * grain, count)) }
            return
        }
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
                    let start = chunk * grain
                    body(chunk, start..<min(start + grain, count))
                }
            }
        }
    }

    /// Maps each chunk to a partial result and returns the partials in chunk order (for deterministic reductions).
    public static func mapChunks<P>(count: Int, grain: Int = defaultGrain, _ body: (_ range: Range<Int>) -> P) -> [P] {
        let chunks = count > 0 ? (count + grain - 1) / grain : 0
        var partials = [P?](repeating: nil, count: chunks)
        partials.withUnsafeMutableBufferPointer { slots in
            let base = slots.baseAddress
            forEachChunk(count: count, grain: grain) { chunk, range in
                base?[chunk] = body(range)
            }
        }
        return partials.compactMap { $0 }  // every slot was filled above
    }
}
