import COpenBLAS

/// Settings of the OpenBLAS library that backs `matmul`.
public enum BLAS {
    /// Threads OpenBLAS uses for one SGEMM. Set 1 when the caller already keeps every core busy
    /// (parallel pipelines), so the two levels of parallelism do not oversubscribe the CPU.
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// Threads OpenBLAS currently uses.
    public static var threads: Int { Int(openblas_get_num_threads()) }
}
