import ArgumentParser
import Foundation
import VidiNN
import VidiTensor

/// Options every `vidi bench <model>` command shares (`resnet50`, `r2plus1d`, `vit`, `text-transformer`).
struct BenchModelOptions: ParsableArguments {
    @Option(name: .long, help: "Batch sizes to time (repeatable).") var batch: [Int] = [1, 8]
    @Option(name: .long, help: "Compute threads, for OpenBLAS and Vidi's own loops (default: every core).") var threads: Int?
    @Option(name: .long, help: "Minimum seconds of timed runs per batch size.") var seconds: Double = 3.0
    @Option(name: .long, help: "Minimum timed runs per batch size (after one warm-up run).") var runs: Int = 3
    @Flag(name: .long, help: "Time one training step (train mode, forward + backward + SGD update) instead of inference.")
    var train = false
    @Flag(name: .long, help: "One JSON object per batch size (with the process's peak RSS so far, `peak_rss_bytes`).")
    var json = false

    func validate() throws {
        guard !batch.isEmpty, batch.allSatisfy({ $0 > 0 }) else { throw ValidationError("--batch values must be positive") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        guard seconds >= 0, runs >= 1 else { throw ValidationError("--seconds must be ≥ 0 and --runs ≥ 1") }
    }
}

/// One model as `vidi bench` times it: the module, a seeded input per batch size, the forward pass, and
/// the scalar a training step back-propagates.
struct BenchModel {
    let name: String
    /// What one item of a batch is ("images", "clips", "texts"), for the printed rate.
    let unit: String
    let module: Module
    let input: (_ batch: Int, _ generator: inout RandomGenerator) throws -> Tensor
    let forward: (Tensor) throws -> Tensor
    /// The training loss of a forward output: cross-entropy on fixed labels for classifiers, the mean
    /// square of the output for encoders (the harness's PyTorch side uses the same).
    let loss: (_ output: Tensor) throws -> Tensor

    /// Cross-entropy against labels `i mod classes`, the rule the harness's PyTorch side also uses.
    static func classifierLoss(_ logits: Tensor) throws -> Tensor {
        let n = logits.shape[0], classes = logits.shape[1]
        let labels = try Tensor(elements: (0..<n).map { Int64($0 % classes) }, shape: [n])
        return try Losses.crossEntropy(logits, labels)
    }

    static func meanSquareLoss(_ output: Tensor) throws -> Tensor { try (output * output).mean() }

    /// Times inference (eval mode, no autograd) or a training step at each batch size and prints one line
    /// (or JSON object) per size.
    func run(_ options: BenchModelOptions) throws {
        if let threads = options.threads {
            ComputeBudget.configure(workers: 1, cores: threads)
        } else {
            ComputeBudget.configure(workers: 1)
        }
        var generator = RandomGenerator(seed: 8)
        let optimizer = try SGD(module.parameters, learningRate: 1e-6, momentum: 0.9)
        module.train(options.train)
        for n in options.batch {
            let x = try input(n, &generator)
            let timing: BenchTiming
            if options.train {
                timing = try BenchTiming.measure(minimumRuns: options.runs, minimumTime: options.seconds) {
                    module.zeroGrad()
                    try loss(forward(x)).backward()
                    try withNoGrad { try optimizer.step() }
                }
            } else {
                timing = try withNoGrad {
                    try BenchTiming.measure(minimumRuns: options.runs, minimumTime: options.seconds) { _ = try forward(x) }
                }
            }
            let rate = Double(n) / timing.best
            let mode = options.train ? "train" : "inference"
            if options.json {
                try printJSON([("model", name), ("mode", mode), ("batch", n), ("threads", ComputeBudget.threads),
                               ("input", x.shape.map(String.init).joined(separator: "x")),
                               ("best_seconds", timing.best), ("median_seconds", timing.median),
                               ("best_cpu_seconds", timing.bestCPU),
                               ("items_per_second", rate), ("runs", timing.seconds.count),
                               ("peak_rss_bytes", peakResidentBytes() ?? -1)])
            } else {
                let timings = String(format: "best %.1f ms, median %.1f ms, %.2f", timing.best * 1e3, timing.median * 1e3, rate)
                print("\(name) \(mode) \(x.shape.map(String.init).joined(separator: "x")): \(timings) \(unit)/s "
                      + "(\(timing.seconds.count) runs, \(ComputeBudget.threads) threads)")
            }
        }
    }
}
