import Foundation
import Synchronization

/// How many threads one model computation may use: the one place that decides it for every command.
/// When N pipeline workers (or any N concurrent callers) each run models, each gets cores / N threads
/// for SGEMM and the tensor core's parallel loops, never N x cores: oversubscribed cores make every
/// worker slower.
public enum ComputeBudget {
    private static let current = Atomic<Int>(ProcessInfo.processInfo.activeProcessorCount)

    /// Threads each concurrent computation may use now.
    public static var threads: Int { max(1, current.load(ordering: .relaxed)) }

    /// Shares `cores` among `workers` concurrent computations and applies the share to `Parallel` and to
    /// SGEMM's tiles. Returns the threads per worker. Results do not depend on it: kernels and SGEMM cut
    /// work by chunk sizes fixed by the shapes alone.
    @discardableResult
    public static func configure(workers: Int, cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
        let share = max(1, max(1, cores) / max(1, workers))
        setThreads(share)
        return share
    }

    /// Sets the threads each computation may use.
    public static func setThreads(_ count: Int) {
        current.store(max(1, count), ordering: .relaxed)
        // Fewer threads: end the lane threads beyond the budget now rather than at the next loop.
        WorkerLanes.shared.shrinkIfIdle(helpers: max(1, count) - 1)
    }
}
