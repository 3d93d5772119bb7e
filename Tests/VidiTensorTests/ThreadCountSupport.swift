import VidiTensor

/// Runs `body` with `BLAS.threads` at 1 and then 2, restoring the caller's setting: the two results of a
/// computation whose bits must not depend on the thread count.
func atOneAndTwoThreads<T>(_ body: () throws -> T) rethrows -> [T] {
    let original = BLAS.threads
    defer { BLAS.setThreads(original) }
    return try [1, 2].map { threads in
        BLAS.setThreads(threads)
        return try body()
    }
}
