import COpenBLAS
import Foundation

/// Settings of the OpenBLAS library that backs `matmul`.
public enum BLAS {
    /// Threads one SGEMM may use: Vidi cuts each SGEMM into shape-fixed tiles and runs them on `Parallel`
    /// (OpenBLAS itself stays single-threaded, see `CPUKernels.sgemm`), so this is the compute budget.
    /// Set 1 when the caller already keeps every core busy, so two levels of parallelism do not
    /// oversubscribe the CPU.
    public static func setThreads(_ count: Int) {
        prepare()
        ComputeBudget.setThreads(count)
    }

    /// Ends OpenBLAS's worker threads for now. The pthreads build starts them when the library loads and
    /// each spins on sched_yield for about 2^28 cycles before sleeping: ~35 ms of CPU per process that
    /// never multiplies a matrix (`vidi run` over 50 short videos: 6 % of its CPU). OpenBLAS starts them
    /// again on its next multi-threaded call. Looked up at run time; a no-op on builds without it.
    public static func stopIdleThreads() {
        guard let handle = dlopen(nil, RTLD_NOW), let shutdown = dlsym(handle, "blas_thread_shutdown_") else { return }
        typealias Routine = @convention(c) () -> Int32
        _ = unsafeBitCast(shutdown, to: Routine.self)()
    }

    /// Threads one SGEMM currently uses.
    public static var threads: Int { ComputeBudget.threads }

    /// The CPU kernel family OpenBLAS dispatches to (e.g. "SkylakeX", "Haswell").
    public static var coreName: String {
        prepare()
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Call before the first BLAS routine (matmul does).
    static func prepare() { _ = kernelSelection; _ = singleThreaded }

    /// OpenBLAS's own threads would make results depend on the thread count (`CPUKernels.sgemm`).
    private static let singleThreaded: Void = openblas_set_num_threads(1)

    /// OpenBLAS 0.3.21 (Debian 12) does not recognise some current CPUs — a virtualised Xeon that reports a
    /// generic model, for one — and falls back to its SSE3 "Prescott" kernels, 3–4× slower at SGEMM.
    /// When the user has not chosen a core (`OPENBLAS_CORETYPE`) and OpenBLAS picked Prescott on a CPU with
    /// AVX-512 or AVX2+FMA, rerun OpenBLAS's own dispatcher with the matching core. Done once, before any
    /// BLAS call; the entry points are looked up at run time so non-dynamic OpenBLAS builds are unaffected.
    private static let kernelSelection: Void = {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
              let name = openblas_get_corename(), String(cString: name) == "Prescott",
              let flags = cpuFlags() else { return }
        let core: String
        if flags.contains("avx512f") && flags.contains("avx512bw") && flags.contains("avx512vl") {
            core = "SkylakeX"
        } else if flags.contains("avx2") && flags.contains("fma") {
            core = "Haswell"
        } else {
            return
        }
        guard let handle = dlopen(nil, RTLD_NOW),
              let quit = dlsym(handle, "gotoblas_dynamic_quit"),
              let initialise = dlsym(handle, "gotoblas_dynamic_init") else { return }
        typealias Routine = @convention(c) () -> Void
        setenv("OPENBLAS_CORETYPE", core, 1)
        unsafeBitCast(quit, to: Routine.self)()
        unsafeBitCast(initialise, to: Routine.self)()
        unsetenv("OPENBLAS_CORETYPE")
    }()

    /// The CPU feature flags from /proc/cpuinfo (Linux).
    private static func cpuFlags() -> Set<Substring>? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return nil }
        return Set(line[line.index(after: colon)...].split(separator: " "))
    }
}
