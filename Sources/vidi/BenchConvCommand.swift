import ArgumentParser
import Foundation
import VidiMedia
import VidiTensor

/// `vidi bench conv`: a 2-D convolution through `Tensor.conv2d` against SGEMM on the same FLOPs, measured
/// in alternating rounds in one process so background load affects both alike. Reports wall-clock rates and
/// rates per CPU-second (steadier on a busy machine; meaningful with `--threads 1`, where no BLAS thread spins).
struct BenchConvCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conv",
        abstract: "Time conv2d (im2col + SGEMM) and compare its GFLOP/s with SGEMM of the same FLOPs."
    )

    @Option(help: "Batch size N.") var batch: Int = 8
    @Option(help: "Input and output channels.") var channels: Int = 64
    @Option(help: "Input height and width (stride 1, 'same' padding).") var size: Int = 56
    @Option(help: "Square kernel size (odd).") var kernel: Int = 3
    @Option(help: "Threads for the SGEMM tiles (default: every core).") var threads: Int?
    @Option(help: "Alternating rounds of conv and SGEMM; each side keeps its best.") var rounds: Int = 3
    @Option(help: "Minimum seconds of timed runs per measurement.") var seconds: Double = 1.0
    @Flag(help: "Also time forward + backward (input and weight gradients).") var backward = false
    @Flag(help: "Print one JSON object instead of text.") var json = false

    func validate() throws {
        guard batch > 0, channels > 0, size > 0, rounds > 0 else { throw ValidationError("sizes and --rounds must be positive") }
        guard kernel > 0, kernel % 2 == 1, kernel <= size else { throw ValidationError("--kernel must be odd and at most --size") }
    }

    /// Best wall-clock and best process-CPU seconds of `body` over runs lasting at least `seconds`.
    /// CPU time (all threads) is the steadier measure on a shared machine when BLAS runs one thread.
    private func measure(_ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
        try body()
        var best = (wall: Double.infinity, cpu: Double.infinity)
        let clock = ContinuousClock(), start = clock.now
        var runs = 0
        while runs < 3 || clock.now - start < .seconds(seconds) {
            let (t0, c0) = (clock.now, processCPUSeconds())
            try body()
            let elapsed = clock.now - t0
            best.cpu = Swift.min(best.cpu, processCPUSeconds() - c0)
            best.wall = Swift.min(best.wall, elapsed.seconds)
            runs += 1
        }
        return best
    }

    func run() throws {
        if let threads { BLAS.setThreads(threads) }
        var generator = RandomGenerator(seed: 3)
        let x = Tensor.uniform([batch, channels, size, size], low: -1, high: 1, generator: &generator)
        let w = Tensor.uniform([channels, channels, kernel, kernel], low: -0.1, high: 0.1, generator: &generator)
        let padding = [kernel / 2]
        // Output has the input's size, so FLOPs = 2 · N · C_out · H · W · C_in · k².
        let flops = 2 * Double(batch * channels * size * size * channels * kernel * kernel)
        // The GEMM each image's conv reduces to (C_out × C_in·k² by C_in·k² × H·W), and a square SGEMM of equal FLOPs.
        let a = Tensor.uniform([channels, channels * kernel * kernel], low: -1, high: 1, generator: &generator)
        let b = Tensor.uniform([channels * kernel * kernel, size * size], low: -1, high: 1, generator: &generator)
        let n = Swift.max(1, Int(Foundation.pow(flops / 2, 1.0 / 3).rounded()))
        let square = Tensor.uniform([n, n], low: -1, high: 1, generator: &generator)
        let squareFlops = 2 * Foundation.pow(Double(n), 3)
        var conv = (wall: Double.infinity, cpu: Double.infinity), gemm = conv, sgemm = conv, backwardTime = conv
        func keepBest(_ old: inout (wall: Double, cpu: Double), _ new: (wall: Double, cpu: Double)) {
            old = (Swift.min(old.wall, new.wall), Swift.min(old.cpu, new.cpu))
        }
        for _ in 0..<rounds {
            keepBest(&conv, try measure { _ = try x.conv2d(weight: w, padding: padding) })
            keepBest(&gemm, try measure { for _ in 0..<batch { _ = try a.matmul(b) } })
            keepBest(&sgemm, try measure { _ = try square.matmul(square) })
            if backward {
                let xg = x.requiresGrad(), wg = w.requiresGrad(), seed = Tensor.ones([batch, channels, size, size])
                keepBest(&backwardTime, try measure { try xg.conv2d(weight: wg, padding: padding).backward(seed) })
            }
        }
        let rate = (conv: flops / conv.wall / 1e9, gemm: flops / gemm.wall / 1e9, square: squareFlops / sgemm.wall / 1e9)
        let cpuRate = (conv: flops / conv.cpu / 1e9, gemm: flops / gemm.cpu / 1e9, square: squareFlops / sgemm.cpu / 1e9)
        var fields: [(String, Any)] = [
            ("op", "conv2d"), ("batch", batch), ("channels", channels), ("size", size), ("kernel", kernel),
            ("threads", BLAS.threads), ("blas_core", BLAS.coreName), ("gflop", flops / 1e9), ("square_n", n),
            ("conv_seconds", conv.wall), ("conv_gflops", rate.conv), ("same_gemm_gflops", rate.gemm), ("square_gflops", rate.square),
            ("ratio_vs_square_sgemm", rate.conv / rate.square), ("ratio_vs_same_gemm", rate.conv / rate.gemm),
            ("conv_gflops_per_cpu_s", cpuRate.conv), ("square_gflops_per_cpu_s", cpuRate.square),
            ("cpu_ratio_vs_square_sgemm", cpuRate.conv / cpuRate.square),
        ]
        // Forward + backward: three GEMMs of the forward's size (output, input gradient, weight gradient).
        if backward { fields.append(("forward_backward_gflops", 3 * flops / backwardTime.wall / 1e9)) }
        if json {
            try printJSON(fields)
            return
        }
        print(String(format: "conv2d N=%d C=%d→%d %dx%d k=%d (%.2f GFLOP), %d BLAS threads (%@ kernels), best of %d rounds:",
                     batch, channels, channels, size, size, kernel, flops / 1e9, BLAS.threads, BLAS.coreName, rounds))
        print("                       wall ms   GFLOP/s   GFLOP/CPU-s")
        print(String(format: "  conv2d forward     %9.2f  %8.1f  %8.1f", conv.wall * 1e3, rate.conv, cpuRate.conv))
        print(String(format: "  same GEMMs (%d×)    %9.2f  %8.1f  %8.1f", batch, gemm.wall * 1e3, rate.gemm, cpuRate.gemm))
        print(String(format: "  square SGEMM n=%-4d%9.2f  %8.1f  %8.1f", n, sgemm.wall * 1e3, rate.square, cpuRate.square))
        print(String(format: "  conv / square SGEMM: %.0f%% (wall), %.0f%% (CPU time)", 100 * rate.conv / rate.square, 100 * cpuRate.conv / cpuRate.square))
        if backward {
            print(String(format: "  forward + backward %9.2f  %8.1f  %8.1f", backwardTime.wall * 1e3, 3 * flops / backwardTime.wall / 1e9,
                         3 * flops / backwardTime.cpu / 1e9))
        }
    }
}
