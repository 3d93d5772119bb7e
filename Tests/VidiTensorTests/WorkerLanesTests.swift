import Dispatch
import Foundation
import Synchronization
import Testing
@testable import VidiTensor

/// `Parallel`'s own worker threads: every chunk once, loops inside chunks, concurrent callers, budget changes.
/// Expected values come from plain serial Swift loops over the same inputs. Pools of their own (not the shared
/// one) where a test counts threads or posted loops, since other suites change the shared budget meanwhile.
@Suite struct WorkerLanesTests {
    /// Runs `body` on a pool of its own and retires its threads afterwards.
    private func withPool(spinMicroseconds: UInt64 = 200, _ body: (WorkerLanes) throws -> Void) rethrows {
        let pool = WorkerLanes(spinNanoseconds: spinMicroseconds * 1000)
        defer { pool.shrinkIfIdle(helpers: 0) }
        try body(pool)
    }

    /// Waits up to 5 s for `condition` (a lane thread ending on its own).
    private func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<500 where !condition() { usleep(10_000) }
        return condition()
    }

    /// Each chunk's index, counted per chunk: every one must be 1.
    private func chunkVisits(pool: WorkerLanes, count: Int, grain: Int, lanes: Int, threads: Int) -> [Int] {
        let chunks = (count + grain - 1) / grain
        let visits = Mutex([Int](repeating: 0, count: chunks))
        let covered = Atomic<Int>(0)
        let ran = pool.tryRun(count: count, grain: grain, chunks: chunks, lanes: lanes, threads: threads) { chunk, range in
            visits.withLock { $0[chunk] += 1 }
            if range == (chunk * grain)..<min((chunk + 1) * grain, count) { covered.add(range.count, ordering: .relaxed) }
        }
        #expect(ran)
        #expect(covered.load(ordering: .relaxed) == count)
        return visits.withLock { $0 }
    }

    @Test func everyChunkRunsOnceOnTheLanes() {
        withPool { pool in
            for (count, grain) in [(10, 1), (1000, 7), (100_000, 4096), (3, 1)] {
                for _ in 0..<20 {
                    #expect(chunkVisits(pool: pool, count: count, grain: grain, lanes: min(3, (count + grain - 1) / grain), threads: 3)
                                .allSatisfy { $0 == 1 })
                }
            }
        }
    }

    @Test func aOneThreadBudgetPostsNothingAndStartsNoThread() {
        withPool { pool in
            for _ in 0..<10 { #expect(chunkVisits(pool: pool, count: 64, grain: 8, lanes: 1, threads: 1).allSatisfy { $0 == 1 }) }
            #expect(pool.loopsPosted.load(ordering: .relaxed) == 0)
            #expect(pool.liveLanes.load(ordering: .relaxed) == 0)
            #expect(pool.wakeups.load(ordering: .relaxed) == 0)
        }
    }

    @Test func laneThreadsFollowTheBudget() {
        withPool { pool in
            _ = chunkVisits(pool: pool, count: 64, grain: 8, lanes: 4, threads: 4)
            #expect(pool.liveLanes.load(ordering: .relaxed) == 3)
            // Two chunks on a budget of 4: two lanes take part, the pool keeps its 3 threads (no churn).
            _ = chunkVisits(pool: pool, count: 2, grain: 1, lanes: 2, threads: 4)
            #expect(pool.liveLanes.load(ordering: .relaxed) == 3)
            _ = chunkVisits(pool: pool, count: 64, grain: 8, lanes: 2, threads: 2)
            #expect(eventually { pool.liveLanes.load(ordering: .relaxed) == 1 })
            pool.shrinkIfIdle(helpers: 0)
            #expect(eventually { pool.liveLanes.load(ordering: .relaxed) == 0 })
            #expect(chunkVisits(pool: pool, count: 64, grain: 8, lanes: 3, threads: 3).allSatisfy { $0 == 1 })
            #expect(pool.liveLanes.load(ordering: .relaxed) == 2)
        }
    }

    @Test func idleLanesBlockAfterTheirSpin() {
        // 1 ms of polling, then a 50 ms pause: the lane must have blocked and be woken by the next loop.
        withPool(spinMicroseconds: 1000) { pool in
            _ = chunkVisits(pool: pool, count: 16, grain: 1, lanes: 2, threads: 2)
            usleep(50_000)
            let before = pool.wakeups.load(ordering: .relaxed)
            #expect(chunkVisits(pool: pool, count: 16, grain: 1, lanes: 2, threads: 2).allSatisfy { $0 == 1 })
            #expect(eventually { pool.wakeups.load(ordering: .relaxed) > before })
        }
    }

    @Test func aSharedCoreSuspendsPollingFor20Milliseconds() {
        withPool { pool in
            let now: UInt64 = 1_000_000_000
            pool.noteSharing(wall: 100_000, cpu: 81_000, now: now)  // 81% of the time: the core is its own
            #expect(!pool.pollingSuspended(at: now))
            pool.noteSharing(wall: 100_000, cpu: 79_000, now: now)  // 79%: another thread took some
            #expect(pool.pollingSuspended(at: now + 19_999_999))
            #expect(!pool.pollingSuspended(at: now + 20_000_000))
            // A wrapped-around CPU difference (a reused thread id) is ignored, not an overflow trap.
            pool.noteSharing(wall: 100_000, cpu: UInt64.max - 5, now: now + 30_000_000)
            #expect(!pool.pollingSuspended(at: now + 30_000_000))
        }
    }

    @Test func theOwnerExcludesOtherCallersWhoRunNothing() {
        withPool { pool in
            let refused = Atomic<Int>(0), ranInside = Atomic<Int>(0)
            _ = pool.tryRun(count: 4, grain: 1, chunks: 4, lanes: 2, threads: 2) { _, _ in
                let ran = pool.tryRun(count: 2, grain: 1, chunks: 2, lanes: 2, threads: 2) { _, _ in ranInside.add(1, ordering: .relaxed) }
                if !ran { refused.add(1, ordering: .relaxed) }
            }
            #expect(refused.load(ordering: .relaxed) == 4)
            #expect(ranInside.load(ordering: .relaxed) == 0)
        }
    }

    @Test func loopsInsideChunksRunInlineWithSerialResults() {
        // 64 rows of 5000: each outer chunk sums its rows with an inner parallel loop over columns.
        let (rows, columns) = (64, 5000)
        let values = (0..<(rows * columns)).map { Float(($0 * 7919) % 1009) / 1009 }
        // Serial reference: the same inner chunks (grain 1000) summed in chunk order, in plain loops.
        let expected = (0..<rows).map { row in
            stride(from: 0, to: columns, by: 1000).map { start in
                values[(row * columns + start)..<(row * columns + start + 1000)].reduce(Float(0), +)
            }.reduce(Float(0), +)
        }
        let results = atOneAndTwoThreads { () -> [Float] in
            var sums = [Float](repeating: .nan, count: rows)
            sums.withUnsafeMutableBufferPointer { out in
                let out = out
                Parallel.forEachChunk(count: rows, grain: 4) { _, range in
                    for row in range {
                        out[row] = Parallel.mapChunks(count: columns, grain: 1000) { columnRange in
                            values[(row * columns + columnRange.lowerBound)..<(row * columns + columnRange.upperBound)].reduce(Float(0), +)
                        }.reduce(Float(0), +)
                    }
                }
            }
            return sums
        }
        #expect(results == [expected, expected])
    }

    @Test func concurrentCallersGetTheSerialResults() async {
        let original = ComputeBudget.threads
        ComputeBudget.setThreads(2)
        defer { ComputeBudget.setThreads(original) }
        let values = (0..<200_000).map { Float(($0 * 104_729) % 997) / 997 }
        // Serial reference: partial sums of 2048-element chunks in chunk order, in a plain loop.
        let expected = stride(from: 0, to: values.count, by: 2048).map { start in
            values[start..<min(start + 2048, values.count)].reduce(Float(0), +)
        }
        // 8 tasks at once, each 20 reductions: one owns the lanes at a time, the others use Dispatch.
        let results = await withTaskGroup(of: [[Float]].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    (0..<20).map { _ in Parallel.mapChunks(count: values.count, grain: 2048) { values[$0].reduce(Float(0), +) } }
                }
            }
            var all: [[Float]] = []
            for await partials in group { all += partials }
            return all
        }
        #expect(results.count == 160)
        #expect(results.allSatisfy { $0 == expected })
    }
}
