#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CVectorMath
import Foundation
import Synchronization

/// `Parallel`'s persistent worker threads ("lanes"). A lane that finishes a loop keeps polling for the next
/// one for a bounded time (`spinNanoseconds`) before it blocks: the gaps between a model's loops are short,
/// and a lane that sleeps there pays a wake-up per loop and, on a shared machine, lends its core to any other
/// runnable thread, niced or not (BENCHMARKS.md, `perf sched`: Dispatch's sleeping workers took turns on
/// one CPU beside a niced job). The polling is CPU time, so it is bounded; after it a lane costs nothing.
/// Polling only pays on cores this computation has to itself: where another process shares them, a polling
/// lane takes CPU from the thread doing the serial work. So when the caller between two loops, or a lane
/// while it polls, gets under 80% of the wall time as CPU time, lanes block at once for the next 20 ms.
///
/// One caller owns the lanes at a time (`tryRun` returns false to the others, which use Dispatch instead).
/// The caller and the lanes take chunks from one shared counter, so who runs a chunk never changes which
/// elements it covers: results stay independent of the thread count.
final class WorkerLanes: @unchecked Sendable {  // shared state is atomics, or the owner's alone (`lanes`)
    static let shared = WorkerLanes()

    /// Polling time of an idle lane (and of the caller waiting for the lanes' last chunks) before blocking.
    /// `VIDI_PARALLEL_SPIN_US` overrides it (A/B runs); 0 blocks at once.
    static let defaultSpinNanoseconds: UInt64 = 200_000
    static let spinNanosecondsFromEnvironment: UInt64 =
        UInt64(ProcessInfo.processInfo.environment["VIDI_PARALLEL_SPIN_US"] ?? "").map { $0 * 1000 } ?? defaultSpinNanoseconds

    // The loop ticket: generation (20 bits) | chunk count (22) | next chunk to take (22). One word, so a lane
    // that claims a chunk by compare-and-swap cannot claim one of a later loop with this loop's bounds.
    private static let fieldBits: UInt64 = 22
    private static let fieldMask: UInt64 = (1 << fieldBits) - 1
    /// Most chunks a loop may have to run on the lanes (more: `tryRun` declines).
    static let maxChunks = Int(fieldMask)

    private let ticket = Atomic<UInt64>(0)
    /// The current loop's parameters, written by the owner before it posts the ticket.
    private let count = Atomic<Int>(0), grain = Atomic<Int>(0), helpers = Atomic<Int>(0)
    private let body = Atomic<UInt>(0)  // address of the owner's `(Int, Range<Int>) -> Void`
    private let finished = Atomic<Int>(0)
    private let owned = Atomic<Bool>(false)
    /// Lanes blocked on `posted`, and whether the owner is blocked on `done`: who must be signalled.
    private let sleepers = Atomic<Int>(0)
    private let ownerSleeping = Atomic<Bool>(false)
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let posted = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let done = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let spinNanoseconds: UInt64
    /// Lanes block without polling until then (monotonic nanoseconds): a thread was seen sharing its core.
    private let contendedUntil = Atomic<UInt64>(0)
    static let contentionBackoffNanoseconds: UInt64 = 20_000_000
    /// The owner thread's wall and CPU clocks when its last loop ended, to check the gap before the next.
    private var lastLoopEnd: (thread: pthread_t, wall: UInt64, cpu: UInt64)?
    /// The lanes (threads besides the caller); only the owner touches the array.
    private var lanes: [Lane] = []

    /// Loops posted to the lanes, lane threads alive, and times a blocked lane woke: for tests.
    let loopsPosted = Atomic<Int>(0), liveLanes = Atomic<Int>(0), wakeups = Atomic<Int>(0)

    private final class Lane: Sendable {
        let index: Int
        let retired = Atomic<Bool>(false)
        init(index: Int) { self.index = index }
    }

    init(spinNanoseconds: UInt64 = WorkerLanes.spinNanosecondsFromEnvironment) {
        self.spinNanoseconds = spinNanoseconds
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(posted, nil)
        pthread_cond_init(done, nil)
    }

    /// Marks threads running a chunk of a lanes loop, so a loop inside a chunk runs inline there.
    private static let insideKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
    /// Any non-nil value: the key only records yes or no.
    private static var insideMark: UnsafeRawPointer? { UnsafeRawPointer(bitPattern: 1) }

    /// Whether this thread is running a chunk of some lanes loop (a lane, or an owner inside its loop).
    static var isInsideLoop: Bool { pthread_getspecific(insideKey) != nil }

    /// Runs `chunks` chunks of `body` on the caller and `lanes - 1` lanes, keeping `threads - 1` lane threads
    /// (the compute budget). Returns false, running nothing, when another caller owns the lanes or the loop
    /// has more chunks than the ticket holds. With `lanes == 1` it runs the chunks in order and posts nothing.
    func tryRun(count: Int, grain: Int, chunks: Int, lanes wanted: Int, threads: Int,
                _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) -> Bool {
        if wanted <= 1 {
            Parallel.runInOrder(count: count, grain: grain, chunks: chunks, body)
            return true
        }
        guard chunks <= Self.maxChunks,
              owned.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { owned.store(false, ordering: .releasing) }
        resize(helpers: threads - 1)
        pthread_setspecific(Self.insideKey, Self.insideMark)
        defer { pthread_setspecific(Self.insideKey, nil) }
        withoutActuallyEscaping(body) { body in
            var function = body
            withUnsafeMutablePointer(to: &function) { address in
                self.count.store(count, ordering: .relaxed)
                self.grain.store(grain, ordering: .relaxed)
                self.helpers.store(Swift.min(wanted - 1, self.lanes.count), ordering: .relaxed)
                self.body.store(UInt(bitPattern: address), ordering: .relaxed)
                self.finished.store(0, ordering: .relaxed)
                let generation = (Self.generation(of: ticket.load(ordering: .relaxed)) + 1) & ((1 << 20) - 1)
                let start = Self.nanosecondsNow()
                if LoopGaps.isEnabled { LoopGaps.loopStarts(at: start) }
                if spinNanoseconds > 0 { checkGap(endingAt: start) }
                post(generation << (2 * Self.fieldBits) | UInt64(chunks) << Self.fieldBits)
                runChunks(generation: generation)
                waitForChunks(chunks)
                let end = Self.nanosecondsNow()
                if LoopGaps.isEnabled { LoopGaps.loopEnds(at: end) }
                if spinNanoseconds > 0 { lastLoopEnd = (pthread_self(), end, Self.threadCPUNanoseconds()) }
            }
        }
        return true
    }

    /// Retires lane threads beyond `helpers` now, unless a caller owns the lanes (then its next loop does).
    /// Growing waits for a loop that needs the lanes.
    func shrinkIfIdle(helpers: Int) {
        guard owned.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return }
        if lanes.count > helpers { resize(helpers: helpers) }
        owned.store(false, ordering: .releasing)
    }

    deinit {
        pthread_cond_destroy(done)
        pthread_cond_destroy(posted)
        pthread_mutex_destroy(mutex)
        done.deallocate()
        posted.deallocate()
        mutex.deallocate()
    }

    private func resize(helpers wanted: Int) {
        let wanted = Swift.max(0, wanted)
        if lanes.count > wanted {
            for lane in lanes[wanted...] { lane.retired.store(true, ordering: .sequentiallyConsistent) }
            lanes.removeLast(lanes.count - wanted)
            wakeLanes()
        }
        while lanes.count < wanted {
            let lane = Lane(index: lanes.count)
            start(lane, seen: Self.generation(of: ticket.load(ordering: .relaxed)))
            lanes.append(lane)
        }
    }

    private static func generation(of ticket: UInt64) -> UInt64 { ticket >> (2 * fieldBits) }

    private func post(_ newTicket: UInt64) {
        loopsPosted.add(1, ordering: .relaxed)
        // Sequentially consistent with the lane's `sleepers` increment and ticket check: either the lane
        // sees this ticket before it blocks, or this sees the lane counted and signals it.
        ticket.store(newTicket, ordering: .sequentiallyConsistent)
        if sleepers.load(ordering: .sequentiallyConsistent) > 0 { wakeLanes() }
    }

    private func wakeLanes() {
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(posted)
        pthread_mutex_unlock(mutex)
    }

    /// Takes chunks of loop `generation` until none is left (or a later loop replaced it).
    private func runChunks(generation: UInt64) {
        var current = ticket.load(ordering: .acquiring)
        while Self.generation(of: current) == generation {
            let next = current & Self.fieldMask, chunks = (current >> Self.fieldBits) & Self.fieldMask
            guard next < chunks else { return }
            let (exchanged, original) = ticket.compareExchange(expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            guard exchanged else { current = original; continue }
            // The loop cannot end while this chunk is unfinished, so its parameters are still this loop's.
            let address = UnsafeMutablePointer<(Int, Range<Int>) -> Void>(bitPattern: body.load(ordering: .relaxed))!
            let (total, size, chunk) = (count.load(ordering: .relaxed), grain.load(ordering: .relaxed), Int(next))
            address.pointee(chunk, Parallel.chunkRange(chunk, grain: size, count: total))
            // Sequentially consistent with the owner's `ownerSleeping` store and count check (as in `post`).
            if finished.add(1, ordering: .sequentiallyConsistent).newValue == Int(chunks),
               ownerSleeping.load(ordering: .sequentiallyConsistent) {
                pthread_mutex_lock(mutex)
                pthread_cond_signal(done)
                pthread_mutex_unlock(mutex)
            }
            current = current + 1
        }
    }

    /// The owner waits for the chunks the lanes took: polls for the spin time, then blocks.
    private func waitForChunks(_ chunks: Int) {
        let allDone = { self.finished.load(ordering: .sequentiallyConsistent) == chunks }
        guard !spin(until: allDone) else { return }
        pthread_mutex_lock(mutex)
        ownerSleeping.store(true, ordering: .sequentiallyConsistent)
        while !allDone() { pthread_cond_wait(done, mutex) }
        ownerSleeping.store(false, ordering: .relaxed)
        pthread_mutex_unlock(mutex)
    }

    /// The owner's serial work since its last loop: if it ran under 80% of the time, its core is shared.
    private func checkGap(endingAt now: UInt64) {
        guard let last = lastLoopEnd, pthread_equal(last.thread, pthread_self()) != 0, now &- last.wall > 50_000 else { return }
        noteSharing(wall: now &- last.wall, cpu: Self.threadCPUNanoseconds() &- last.cpu, now: now)
    }

    /// A thread of this computation got `cpu` of `wall` nanoseconds up to `now`: under 80% means a shared core.
    /// CPU time above the wall time is no reading: the two clocks were not one thread's over one interval
    /// (a finished thread's `pthread_t` taken by a new thread makes `checkGap`'s difference wrap around).
    func noteSharing(wall: UInt64, cpu: UInt64, now: UInt64) {
        guard cpu <= wall, wall <= UInt64.max / 10 else { return }
        if cpu * 10 < wall * 8 { contendedUntil.store(now &+ Self.contentionBackoffNanoseconds, ordering: .relaxed) }
    }

    /// Whether lanes would block without polling at `now` (a shared core was seen in the last 20 ms).
    func pollingSuspended(at now: UInt64) -> Bool { now < contendedUntil.load(ordering: .relaxed) }

    /// Polls `condition` for up to the spin time (none while a core is shared); whether it became true.
    private func spin(until condition: () -> Bool) -> Bool {
        if condition() { return true }
        guard spinNanoseconds > 0 else { return false }
        let start = Self.nanosecondsNow()
        guard start >= contendedUntil.load(ordering: .relaxed) else { return false }
        let startCPU = Self.threadCPUNanoseconds()
        var polls: UInt = 0, now = start
        while true {
            if condition() { break }
            vidi_cpu_relax()
            polls &+= 1
            if polls & 63 == 0 {
                now = Self.nanosecondsNow()
                if now >= start &+ spinNanoseconds { break }
            }
        }
        now = Self.nanosecondsNow()
        if now &- start > 50_000 { noteSharing(wall: now &- start, cpu: Self.threadCPUNanoseconds() &- startCPU, now: now) }
        return condition()
    }

    /// CPU time of the calling thread (a system call, unlike the monotonic clock: once per spin or loop).
    private static func threadCPUNanoseconds() -> UInt64 { nanoseconds(CLOCK_THREAD_CPUTIME_ID) }

    static func nanosecondsNow() -> UInt64 { nanoseconds(CLOCK_MONOTONIC) }

    private static func nanoseconds(_ clock: clockid_t) -> UInt64 {
        var now = timespec()
        clock_gettime(clock, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }

    private func start(_ lane: Lane, seen: UInt64) {
        let context = Unmanaged.passRetained(LaneStart(pool: self, lane: lane, seen: seen)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(&attributes, 8 << 20)  // a chunk gets the main thread's stack size
        var thread = pthread_t()
        liveLanes.add(1, ordering: .relaxed)
        let status = pthread_create(&thread, &attributes, { context in
            let start = Unmanaged<LaneStart>.fromOpaque(context!).takeRetainedValue()
            start.pool.laneLoop(start.lane, seen: start.seen)
            return nil
        }, context)
        if status != 0 {
            // No thread: this lane never takes a chunk, and the owner does its share.
            Unmanaged<LaneStart>.fromOpaque(context).release()
            liveLanes.subtract(1, ordering: .relaxed)
            lane.retired.store(true, ordering: .relaxed)
        }
    }

    private final class LaneStart {
        let pool: WorkerLanes, lane: Lane, seen: UInt64
        init(pool: WorkerLanes, lane: Lane, seen: UInt64) { (self.pool, self.lane, self.seen) = (pool, lane, seen) }
    }

    /// A lane: wait for a loop (polling, then blocked), take chunks, repeat until retired.
    private func laneLoop(_ lane: Lane, seen start: UInt64) {
        pthread_setspecific(Self.insideKey, Self.insideMark)
        var seen = start
        let postedOrRetired = {
            Self.generation(of: self.ticket.load(ordering: .sequentiallyConsistent)) != seen
                || lane.retired.load(ordering: .sequentiallyConsistent)
        }
        while true {
            if !spin(until: postedOrRetired) {
                pthread_mutex_lock(mutex)
                sleepers.add(1, ordering: .sequentiallyConsistent)
                while !postedOrRetired() { pthread_cond_wait(posted, mutex) }
                sleepers.subtract(1, ordering: .sequentiallyConsistent)
                pthread_mutex_unlock(mutex)
                wakeups.add(1, ordering: .relaxed)
            }
            if lane.retired.load(ordering: .relaxed) { break }
            seen = Self.generation(of: ticket.load(ordering: .acquiring))
            if lane.index < helpers.load(ordering: .relaxed) { runChunks(generation: seen) }
        }
        liveLanes.subtract(1, ordering: .relaxed)
    }
}
