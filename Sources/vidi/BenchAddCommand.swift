import ArgumentParser
import VidiTensor

/// `vidi bench add`: elementwise float32 addition of two contiguous tensors.
struct BenchAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Time elementwise a + b of two float32 tensors and report throughput."
    )

    @Option(help: "Number of elements per tensor.")
    var count: Int = 1 << 24

    @Option(help: "Minimum seconds of timed runs.")
    var seconds: Double = 1.0

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive") }
    }

    func run() throws {
        var generator = RandomGenerator(seed: 2)
        let a = Tensor.uniform([count], generator: &generator)
        let b = Tensor.uniform([count], generator: &generator)
        let timing = try BenchTiming.measure(minimumTime: seconds) { _ = try a + b }
        // Bytes moved: read a and b, write the result.
        let gigabytes = Double(3 * 4 * count) / 1e9
        if json {
            try printJSON([("op", "add"), ("count", count), ("runs", timing.seconds.count), ("best_seconds", timing.best),
                       ("median_seconds", timing.median), ("gb_per_s", gigabytes / timing.best),
                       ("gelem_per_s", Double(count) / timing.best / 1e9)])
        } else {
            print(String(format: "add of %d floats: %.2f ms best, %.2f ms median, %.1f GB/s (%d runs)",
                         count, timing.best * 1e3, timing.median * 1e3, gigabytes / timing.best, timing.seconds.count))
        }
    }
}
