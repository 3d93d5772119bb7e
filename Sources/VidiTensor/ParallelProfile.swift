import Foundation
import Synchronization

/// Where a second core would idle, measured without a quiet machine: with `VIDI_PARALLEL_PROFILE=1`,
/// `Parallel` runs every chunk of a multi-chunk loop in turn on the calling thread, times each in CPU
/// seconds (preemption by other jobs does not count) and replays the chunks on 2 simulated lanes handing
/// them out in order as `Parallel` does. The report splits a window of work into serial CPU time (outside
/// multi-chunk loops: one core works, the other idles) and each call site's CPU time against its 2-lane
/// span (imbalance: one lane still busy with the last chunks). Off by default: one predictable branch per
/// `Parallel` call. Run with one compute thread so OpenBLAS adds no threads of its own.
public enum ParallelProfile {
    public static let isEnabled = ProcessInfo.processInfo.environment["VIDI_PARALLEL_PROFILE"] == "1"
    /// Lanes the replay simulates (the cores of the machine the speed table is measured on).
    static let simulatedLanes = 2

    struct Site {
        var regions = 0, chunks = 0
        var cpu = 0.0, span = 0.0
    }

    struct State {
        var sites: [String: Site] = [:]
        /// Named serial work (CPU seconds and calls), part of the serial share.
        var serialSites: [String: (cpu: Double, calls: Int)] = [:]
        /// Nesting depth of profiled loops; an inner loop runs inside its outer chunk's time.
        var depth = 0
        var windowStart = 0.0
    }

    private static let state = Mutex(State())

    /// CPU seconds of the whole process (one thread while profiling).
    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// Runs `chunks` chunks of `body` in order on this thread, timing each; records them under `site`.
    static func run(count: Int, grain: Int, chunks: Int, site: String, _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) {
        let outer = state.withLock { s -> Bool in s.depth += 1; return s.depth == 1 }
        defer { state.withLock { $0.depth -= 1 } }
        var times = [Double]()
        times.reserveCapacity(chunks)
        for chunk in 0..<chunks {
            times.append(profiledChunk(chunk, Parallel.chunkRange(chunk, grain: grain, count: count), body))
        }
        guard outer else { return }
        let span = replay(times, lanes: simulatedLanes)
        state.withLock { s in
            var entry = s.sites[site, default: Site()]
            entry.regions += 1
            entry.chunks += chunks
            entry.cpu += times.reduce(0, +)
            entry.span += span
            s.sites[site] = entry
        }
    }

    /// Runs one chunk and returns its CPU seconds. A frame of its own (never inlined, and `body` is not its
    /// tail call) so that a sampling profiler (`perf record -g`) can tell chunk work from serial work.
    @inline(never)
    static func profiledChunk(_ chunk: Int, _ range: Range<Int>, _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) -> Double {
        let start = processCPUSeconds()
        body(chunk, range)
        return processCPUSeconds() - start
    }

    /// Wall time of `times` on `lanes` lanes that each take the next chunk in order when free.
    static func replay(_ times: [Double], lanes: Int) -> Double {
        var free = [Double](repeating: 0, count: max(1, lanes))
        for t in times {
            let lane = free.indices.min { free[$0] < free[$1] } ?? 0
            free[lane] += t
        }
        return free.max() ?? 0
    }

    /// Runs `body` on this thread and records its CPU time as serial work of `site` (outside any profiled loop).
    static func timeSerial(site: String, _ body: () -> Void) {
        let start = processCPUSeconds()
        body()
        let seconds = processCPUSeconds() - start
        state.withLock { s in
            guard s.depth == 0 else { return }
            let entry = s.serialSites[site, default: (0, 0)]
            s.serialSites[site] = (entry.cpu + seconds, entry.calls + 1)
        }
    }

    /// Forgets what was recorded and starts a new window (after a warm-up run).
    public static func reset() {
        let now = processCPUSeconds()
        state.withLock { s in
            s.sites = [:]
            s.serialSites = [:]
            s.windowStart = now
        }
    }

    /// The window since `reset()` as text: serial CPU, each call site's CPU and 2-lane span, and the speedup
    /// 2 lanes would reach if chunks were the only parallel work.
    public static func report(runs: Int) -> String {
        let end = processCPUSeconds()
        let (sites, serialSites, start) = state.withLock { ($0.sites, $0.serialSites, $0.windowStart) }
        let total = end - start
        let inside = sites.values.reduce(0) { $0 + $1.cpu }
        let spans = sites.values.reduce(0) { $0 + $1.span }
        let serial = total - inside
        let perRun = Double(max(runs, 1))
        func ms(_ seconds: Double) -> String { String(format: "%9.1f", seconds / perRun * 1000) }
        var lines = [
            "parallel profile, per run (\(runs) runs), CPU ms; \(simulatedLanes) simulated lanes",
            "total \(ms(total))  serial \(ms(serial)) (\(String(format: "%.1f", 100 * serial / max(total, 1e-12)))%)"
                + "  in loops \(ms(inside))  2-lane span of loops \(ms(spans))",
            String(format: "2-lane estimate: %.1f ms, speedup %.2fx of the ideal 2.00x",
                   (serial + spans) / perRun * 1000, total / max(serial + spans, 1e-12)),
            "      cpu ms    span ms    idle ms  regions   chunks  site",
        ]
        for (site, entry) in sites.sorted(by: { $0.value.cpu > $1.value.cpu }) {
            let idle = Double(simulatedLanes) * entry.span - entry.cpu
            lines.append("\(ms(entry.cpu))  \(ms(entry.span))  \(ms(idle))  \(String(format: "%7d  %7d", entry.regions / max(runs, 1), entry.chunks / max(runs, 1)))  \(site)")
        }
        if !serialSites.isEmpty {
            lines.append("      cpu ms    calls  named serial work")
            for (site, entry) in serialSites.sorted(by: { $0.value.cpu > $1.value.cpu }) {
                lines.append("\(ms(entry.cpu))  \(String(format: "%7d", entry.calls / max(runs, 1)))  \(site)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
