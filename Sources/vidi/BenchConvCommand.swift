import ArgumentParser
import Foundation
import VidiTensor

/// `vidi bench conv`: a 2-D convolution through `Tensor.conv2d` against SGEMM on the same FLOPs, measured
/// in alternating rounds in one process so background load affects both alike.
struct BenchConvCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conv",
        abstract: "Time conv2d (im2col + SGEMM) and compare its GFLOP/s with SGEMM of the same FLOPs."
    )

    @Option(help: "Batch size N.") var batch: Int = 8
    @Option(help: "Input and output channels.") var channels: Int = 64
    @Option(help: "Input height and width (stride 1, 'same' padding).") var size: Int = 56
    @Option(help: "Square kernel size (odd).") var kernel: Int = 3
    @Option(help: "OpenBLAS threads (default: OpenBLAS's own choice).") var threads: Int?
    @Option(help: "Alternating rounds of conv and SGEMM; each side keeps its best.") var rounds: Int = 3
    @Option(help: "Minimum seconds of timed runs per measurement.") var seconds: Double = 1.0
    @Flag(help: "Also time the backward pass (input and weight gradients).") var backward = false
    @Flag(help: "Print one JSON object instead of text.") var json = false

    func validate() throws {
        guard batch > 0, channels > 0, size > 0, rounds > 0 else { throw ValidationError("sizes and --rounds must be positive") }
        guard kernel > 0, kernel % 2 == 1, kernel <= size else { throw ValidationError("--kernel must be odd and at most --size") }
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
        var best = (conv: Double.infinity, gemm: Double.infinity, square: Double.infinity, backward: Double.infinity)
        for _ in 0..<rounds {
            best.conv = Swift.min(best.conv, try BenchTiming.measure(minimumTime: seconds) { _ = try x.conv2d(weight: w, padding: padding) }.best)
            best.gemm = Swift.min(best.gemm, try BenchTiming.measure(minimumTime: seconds) { for _ in 0..<batch { _ = try a.matmul(b) } }.best)
            best.square = Swift.min(best.square, try BenchTiming.measure(minimumTime: seconds) { _ = try square.matmul(square) }.best)
            if backward {
                let xg = x.requiresGrad(), wg = w.requiresGrad()
                let t = try BenchTiming.measure(minimumTime: seconds) {
                    try xg.conv2d(weight: wg, padding: padding).backward(Tensor.ones([batch, channels, size, size]))
                }
                best.backward = Swift.min(best.backward, t.best)
            }
        }
        let convRate = flops / best.conv / 1e9, gemmRate = flops / best.gemm / 1e9
        let squareRate = 2 * Foundation.pow(Double(n), 3) / best.square / 1e9
        var fields: [(String, Any)] = [
            ("op", "conv2d"), ("batch", batch), ("channels", channels), ("size", size), ("kernel", kernel),
            ("threads", BLAS.threads), ("blas_core", BLAS.coreName), ("gflop", flops / 1e9),
            ("conv_seconds", best.conv), ("conv_gflops", convRate), ("same_gemm_gflops", gemmRate),
            ("square_n", n), ("square_gflops", squareRate),
            ("ratio_vs_same_gemm", convRate / gemmRate), ("ratio_vs_square_sgemm", convRate / squareRate),
        ]
        // Backward does two GEMMs of the forward's size (input and weight gradients).
        if backward { fields.append(("backward_gflops", 2 * flops / best.backward / 1e9)) }
        if json {
            printJSON(fields)
            return
        }
        print(String(format: "conv2d N=%d C=%d→%d %dx%d k=%d (%.2f GFLOP), %d BLAS threads (%@ kernels), best of %d rounds:",
                     batch, channels, channels, size, size, kernel, flops / 1e9, BLAS.threads, BLAS.coreName, rounds))
        print(String(format: "  conv2d forward      %8.2f ms  %6.1f GFLOP/s", best.conv * 1e3, convRate))
        print(String(format: "  same GEMMs (%d×)     %8.2f ms  %6.1f GFLOP/s  → conv at %.0f%%", batch, best.gemm * 1e3, gemmRate, 100 * convRate / gemmRate))
        print(String(format: "  square SGEMM n=%d %8.2f ms  %6.1f GFLOP/s  → conv at %.0f%%", n, best.square * 1e3, squareRate, 100 * convRate / squareRate))
        if backward { print(String(format: "  conv2d backward     %8.2f ms  %6.1f GFLOP/s", best.backward * 1e3, 2 * flops / best.backward / 1e9)) }
    }
}
