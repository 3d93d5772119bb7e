import Foundation
import Synchronization

/// How long the caller works alone between two loops on the lanes — what an idle lane's spin
/// (`WorkerLanes.defaultSpinNanoseconds`) must cover. With `VIDI_PARALLEL_GAPS=1` the lanes' owner records
/// each gap and the process prints a histogram to standard error when it exits. Off by default.
enum LoopGaps {
    static let isEnabled = ProcessInfo.processInfo.environment["VIDI_PARALLEL_GAPS"] == "1"
    /// Upper bounds of the buckets, in microseconds (the last bucket is everything longer).
    static let bounds: [UInt64] = [10, 30, 100, 200, 300, 1000, 3000, 10000]

    private struct State {
        var counts = [Int](repeating: 0, count: LoopGaps.bounds.count + 1)
        var seconds = [Double](repeating: 0, count: LoopGaps.bounds.count + 1)
        var lastEnd: UInt64?
        var registered = false
    }
    private static let state = Mutex(State())

    /// A loop starts at `now` (nanoseconds): records the gap since the last loop ended.
    static func loopStarts(at now: UInt64) {
        state.withLock { s in
            if !s.registered {
                s.registered = true
                atexit { FileHandle.standardError.write(Data(LoopGaps.report().utf8)) }
            }
            guard let end = s.lastEnd, now >= end else { return }
            let gap = now - end
            let bucket = bounds.firstIndex { gap < $0 * 1000 } ?? bounds.count
            s.counts[bucket] += 1
            s.seconds[bucket] += Double(gap) * 1e-9
        }
    }

    static func loopEnds(at now: UInt64) { state.withLock { $0.lastEnd = now } }

    /// The histogram: gaps per bucket and the caller's time alone in them.
    static func report() -> String {
        let (counts, seconds) = state.withLock { ($0.counts, $0.seconds) }
        var lines = ["loop gaps on the lanes (caller alone between two loops): bucket, gaps, seconds"]
        // Bucket i holds gaps below bounds[i] (and at least bounds[i - 1]); the last, those past every bound.
        let labels = bounds.map { "< \($0) µs" } + [bounds.last.map { ">= \($0) µs" } ?? "all"]
        for (label, (count, time)) in zip(labels, zip(counts, seconds)) {
            lines.append(label.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: " %8d %9.3f", count, time))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
