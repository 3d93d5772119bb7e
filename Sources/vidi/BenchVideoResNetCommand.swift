import ArgumentParser
import Foundation
import VidiNN
import VidiTensor

/// `vidi bench r2plus1d`: torchvision's R(2+1)D-18 (400 classes) built with VidiNN on 16×112×112 clips,
/// clips per second for inference or a training step.
struct BenchVideoResNetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "r2plus1d",
        abstract: "Time R(2+1)D-18 on video clips and report clips per second.",
        discussion: """
            Seeded random weights (torchvision's init); input [N, 3, frames, size, size]. --train times \
            train-mode forward, cross-entropy, backward and one SGD (momentum) update.

            Examples:
              vidi bench r2plus1d --batch 1
              vidi bench r2plus1d --batch 8 --threads 1 --train --json
            """
    )

    @OptionGroup var options: BenchModelOptions
    @Option(name: .long, help: "Frames per clip.") var frames: Int = 16
    @Option(name: .long, help: "Frame height and width.") var size: Int = 112

    func validate() throws {
        guard frames >= 8, size >= 32 else { throw ValidationError("--frames must be ≥ 8 and --size ≥ 32") }
    }

    func run() throws {
        var generator = RandomGenerator(seed: 18)
        let model = VideoResNet(.init(.r2plus1d18), generator: &generator)
        try BenchModel(name: "r2plus1d", unit: "clips", module: model,
                       input: { n, g in Tensor.uniform([n, 3, frames, size, size], low: -1, high: 1, generator: &g) },
                       forward: { try model($0) }, loss: BenchModel.classifierLoss).run(options)
    }
}
