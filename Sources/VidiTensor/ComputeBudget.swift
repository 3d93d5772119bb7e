import Foundation
import Synchronization

/// How many threads one model computation may use: the one place that decides it for every command.
/// When N pipeline workers (or any N concurrent callers) each run models, each gets cores / N threads
/// for OpenBLAS and for the tensor core's parallel loops, never N x cores: oversubscribed cores make
/// every worker slower (OpenBLAS's threads spin while they wait).
public enum ComputeBudget {
    private static let current = Atomic<Int>(ProcessInfo.processInfo.activeProcessorCount)

    /// Threads each concurrent computation may use now.
    public static var threads: Int { max(1, current.load(ordering: .relaxed)) }

    /// Shares `cores` among `workers` concurrent computations and applies the share to OpenBLAS and
    /// `Parallel`. Returns the threads per worker. Results do not depend on it (kernels cut work by
    /// fixed chunk sizes, and SGEMM's summation order does not depend on its thread count).
    @discardableResult
    public static func configure(workers: Int, cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
        let share = max(1, max(1, cores) / max(1, workers))
        current.store(share, ordering: .relaxed)
        BLAS.setThreads(share)
        return share
    }
}
