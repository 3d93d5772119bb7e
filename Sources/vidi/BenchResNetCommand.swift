import ArgumentParser
import Foundation
import VidiNN
import VidiTensor

/// `vidi bench resnet50`: inference throughput of torchvision's ResNet-50 built with VidiNN (eval mode,
/// no autograd), images per second at each batch size. `Tools/bench/resnet_bench.py` runs it next to
/// PyTorch on the same machine.
struct BenchResNetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resnet50",
        abstract: "Time ResNet-50 inference (forward only) and report images per second.",
        discussion: """
            Weights are seeded random (torchvision's init) unless --weights names a converted torchvision \
            checkpoint (Tools/convert_checkpoint.py); speed does not depend on the values.

            Examples:
              vidi bench resnet50
              vidi bench resnet50 --batch 1 --batch 8 --size 224 --json
            """
    )

    @Option(name: .long, help: "Batch sizes to time (repeatable).") var batch: [Int] = [1, 8]
    @Option(name: .long, help: "Input height and width.") var size: Int = 224
    @Option(name: .long, help: "Minimum seconds of timed runs per batch size.") var seconds: Double = 3.0
    @Option(name: .long, help: "OpenBLAS threads (default: OpenBLAS's own choice).") var threads: Int?
    @Option(name: .long, help: "A ResNet-50 .safetensors checkpoint with torchvision key names.") var weights: String?
    @Flag(name: .long, help: "One JSON object per batch size.") var json = false

    func validate() throws {
        guard !batch.isEmpty, batch.allSatisfy({ $0 > 0 }) else { throw ValidationError("--batch values must be positive") }
        guard size >= 32 else { throw ValidationError("--size must be at least 32, got \(size)") }
    }

    func run() throws {
        if let threads { BLAS.setThreads(threads) }
        var generator = RandomGenerator(seed: 50)
        let model = ResNet(.init(.resnet50), generator: &generator)
        if let weights { try model.loadStateDict(path: weights) }
        model.eval()
        for n in batch {
            let input = Tensor.uniform([n, 3, size, size], low: -1, high: 1, generator: &generator)
            let timing = try withNoGrad {
                try BenchTiming.measure(minimumRuns: 3, minimumTime: seconds) { _ = try model(input) }
            }
            let rate = Double(n) / timing.best
            if json {
                try printJSON([("model", "resnet50"), ("batch", n), ("size", size), ("threads", BLAS.threads),
                           ("best_seconds", timing.best), ("median_seconds", timing.median), ("images_per_second", rate),
                           ("runs", timing.seconds.count)])
            } else {
                print(String(format: "resnet50 %dx3x%dx%d: best %.1f ms, median %.1f ms, %.2f images/s (%d runs, %d BLAS threads)",
                             n, size, size, timing.best * 1e3, timing.median * 1e3, rate, timing.seconds.count, BLAS.threads))
            }
        }
    }
}
