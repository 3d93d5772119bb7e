import Foundation
import VidiFormats
import VidiMedia
import VidiTensor

/// Wall-clock timings of repeated runs of one operation, for the `vidi bench` commands.
struct BenchTiming {
    let seconds: [Double]
    /// Process CPU seconds (all threads) of the same runs: steadier than wall time on a shared machine.
    var cpuSeconds: [Double] = []

    /// Runs `body` once to warm up, then until `minimumTime` has passed and at least `minimumRuns` were timed.
    static func measure(minimumRuns: Int = 3, minimumTime: Double = 1.0, _ body: () throws -> Void) rethrows -> BenchTiming {
        try body()
        if ParallelProfile.isEnabled { ParallelProfile.reset() }
        var samples: [Double] = [], cpu: [Double] = []
        let clock = ContinuousClock()
        let start = clock.now
        while samples.count < minimumRuns || (clock.now - start) < .seconds(minimumTime) {
            let (t0, c0) = (clock.now, processCPUSeconds())
            try body()
            let elapsed = clock.now - t0
            samples.append(elapsed.seconds)
            cpu.append(processCPUSeconds() - c0)
        }
        if ParallelProfile.isEnabled {
            FileHandle.standardError.write(Data((ParallelProfile.report(runs: samples.count) + "\n").utf8))
        }
        return BenchTiming(seconds: samples, cpuSeconds: cpu)
    }

    var best: Double { seconds.min() ?? .nan }
    var bestCPU: Double { cpuSeconds.min() ?? .nan }
    var median: Double {
        let sorted = seconds.sorted()
        return sorted.isEmpty ? .nan : sorted[sorted.count / 2]
    }
}

/// This process's CPU time so far (user + system, all threads), in seconds: steadier than wall time when
/// other jobs share the cores.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// This process's peak resident set (Linux `VmHWM` in /proc/self/status), in bytes; nil where unreadable.
func peakResidentBytes() -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kilobytes = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Int($0) }.first
        return kilobytes.map { $0 * 1024 }
    }
    return nil
}

/// Prints a flat JSON object (numbers and strings) on one line.
func printJSON(_ fields: [(String, Any)]) throws {
    var object: [String: JSONValue] = [:]
    for (key, value) in fields {
        switch value {
        case let s as String: object[key] = .string(s)
        case let d as Double: object[key] = d.isFinite ? .double(d) : .null
        case let i as Int: object[key] = .int(i)
        case let b as Bool: object[key] = .bool(b)
        default: object[key] = .string("\(value)")
        }
    }
    try JSONOutput.print(.object(object))
}
