import ArgumentParser
import Foundation
import VidiTensor

/// `vidi bench gemm`: float32 matrix multiply through `Tensor.matmul` (OpenBLAS SGEMM).
struct BenchGemmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "Time an N×N×N float32 matrix multiply (Tensor.matmul) and report GFLOP/s."
    )

    @Option(help: "Matrix size N (multiplies N×N by N×N).")
    var size: Int = 1024

    @Option(help: "Threads for the SGEMM tiles (default: every core).")
    var threads: Int?

    @Option(help: "Minimum seconds of timed runs.")
    var seconds: Double = 1.0

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard size > 0 else { throw ValidationError("--size must be positive") }
    }

    func run() throws {
        if let threads { BLAS.setThreads(threads) }
        var generator = RandomGenerator(seed: 1)
        let a = Tensor.uniform([size, size], low: -1, high: 1, generator: &generator)
        let b = Tensor.uniform([size, size], low: -1, high: 1, generator: &generator)
        let timing = try BenchTiming.measure(minimumTime: seconds) { _ = try a.matmul(b) }
        let flops = 2 * pow(Double(size), 3)
        let best = flops / timing.best / 1e9, median = flops / timing.median / 1e9
        if json {
            try printJSON([("op", "gemm"), ("size", size), ("threads", BLAS.threads), ("blas_core", BLAS.coreName), ("runs", timing.seconds.count),
                       ("best_seconds", timing.best), ("gflops", best), ("median_gflops", median)])
        } else {
            print(String(format: "sgemm %d×%d×%d, %d BLAS threads (%@ kernels): %.1f GFLOP/s best, %.1f median (%d runs)",
                         size, size, size, BLAS.threads, BLAS.coreName, best, median, timing.seconds.count))
        }
    }
}
