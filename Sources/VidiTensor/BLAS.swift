import COpenBLAS
import Foundation

/// Settings of the OpenBLAS library that backs `matmul`.
public enum BLAS {
    /// Threads OpenBLAS uses for one SGEMM. Set 1 when the caller already keeps every core busy
    /// (parallel pipelines), so the two levels of parallelism do not oversubscribe the CPU.
    public static func setThreads(_ count: Int) {
        prepare()
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// Threads OpenBLAS currently uses.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// The CPU kernel family OpenBLAS dispatches to (e.g. "SkylakeX", "Haswell").
    public static var coreName: String {
        prepare()
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Call before the first BLAS routine (matmul does).
    static func prepare() { _ = kernelSelection }

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
