import COpenBLAS
import Foundation

extension CPUKernels {
    /// Multiply-adds below which one SGEMM call is not worth splitting.
    static let gemmSplitThreshold = 1 << 22
    /// Most tiles per SGEMM call. Each tile is one OpenBLAS call that packs the whole unsplit operand again
    /// (9% of a ViT-B/32 batch-8 forward in `sgemm_oncopy` at 16 tiles), so fewer tiles pack less, but a
    /// product can use at most as many cores as it has tiles. Hence one tile per core of the machine (an even
    /// number, 2…16): on the 2-core VM of BENCHMARKS.md 2 tiles took 1.18× fewer CPU-seconds than 16 for a
    /// ViT-B/32 batch-8 forward at one thread. The cap depends on the machine, never on the threads a
    /// computation is given (`ComputeBudget`), so results stay independent of the thread count.
    /// `VIDI_GEMM_TILES` overrides it (A/B runs).
    static let gemmMaxTiles = Int(ProcessInfo.processInfo.environment["VIDI_GEMM_TILES"] ?? "")
        ?? defaultGEMMTiles(cores: ProcessInfo.processInfo.activeProcessorCount)

    /// The default tile cap for a machine with `cores` cores: the core count rounded up to even, 2…16.
    static func defaultGEMMTiles(cores: Int) -> Int {
        Swift.min(16, Swift.max(2, (cores + 1) / 2 * 2))
    }

    /// `C = alpha · op(A) · op(B) + beta · C` (row-major, arguments as `cblas_sgemm` takes them), with bits that do
    /// not depend on the thread count.
    ///
    /// OpenBLAS's own threading changes results: its Haswell/Zen SGEMM kernels (Debian's 0.3.21 on AMD EPYC and
    /// AVX2 Intel) sum an element differently depending on how the call's output is partitioned, so 1 and 2
    /// OpenBLAS threads disagree in the last bits. OpenBLAS therefore runs single-threaded (`BLAS.prepare`), and
    /// the output is cut into tiles fixed by the shape alone — along the longer of M and N, never along K —
    /// which `Parallel` spreads over the compute budget.
    static func sgemm(_ transA: CBLAS_TRANSPOSE, _ transB: CBLAS_TRANSPOSE, _ m: Int32, _ n: Int32, _ k: Int32,
                      _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int32, _ b: UnsafePointer<Float>, _ ldb: Int32,
                      _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int32,
                      file: StaticString = #fileID, line: UInt = #line) {
        let (rows, columns) = (Int(m), Int(n))
        let tiling = gemmTiling(m: rows, n: columns, k: Int(k))
        guard tiling.tiles > 1 else {
            // One tile runs on the caller alone: serial work that the profile names by call site.
            func whole() { cblas_sgemm(CblasRowMajor, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) }
            if ParallelProfile.isEnabled { ParallelProfile.timeSerial(site: "\(file):\(line) one-tile SGEMM", whole) } else { whole() }
            return
        }
        Parallel.forEachChunk(count: tiling.tiles, grain: 1, file: file, line: line) { tile, _ in
            let start = tile * tiling.size
            if tiling.alongRows {
                let count = Swift.min(tiling.size, rows - start)
                // Rows of op(A): row `start` of A, or column `start` of a transposed A.
                let tileA = a + (transA == CblasTrans ? start : start * Int(lda))
                cblas_sgemm(CblasRowMajor, transA, transB, Int32(count), n, k, alpha, tileA, lda, b, ldb,
                            beta, c + start * Int(ldc), ldc)
            } else {
                let count = Swift.min(tiling.size, columns - start)
                let tileB = b + (transB == CblasTrans ? start * Int(ldb) : start)
                cblas_sgemm(CblasRowMajor, transA, transB, m, Int32(count), k, alpha, a, lda, tileB, ldb,
                            beta, c + start, ldc)
            }
        }
    }

    /// How `sgemm` cuts an `m × n` output: an even number of tiles (balanced on two cores) of a multiple of
    /// 16 rows or columns, each at least 128 wide, at most `gemmMaxTiles` of them; one tile for small products.
    static func gemmTiling(m: Int, n: Int, k: Int) -> (tiles: Int, size: Int, alongRows: Bool) {
        let alongRows = m > n
        let extent = alongRows ? m : n
        guard m * n * k >= gemmSplitThreshold else { return (1, extent, alongRows) }
        var tiles = Swift.min(gemmMaxTiles, extent / 128)
        if tiles > 2 { tiles -= tiles % 2 }
        guard tiles > 1 else { return (1, extent, alongRows) }
        let size = ((extent + tiles - 1) / tiles + 15) / 16 * 16
        return ((extent + size - 1) / size, size, alongRows)
    }
}
