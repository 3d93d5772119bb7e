import ArgumentParser
import Foundation
import VidiNN
import VidiTensor

/// `vidi bench resnet50`: torchvision's ResNet-50 built with VidiNN, images per second for inference
/// (eval mode, no autograd) or a training step. `Tools/bench/model_bench.py --model resnet50` runs it next
/// to PyTorch on the same machine.
struct BenchResNetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resnet50",
        abstract: "Time ResNet-50 inference or a training step and report images per second.",
        discussion: """
            Weights are seeded random (torchvision's init) unless --weights names a converted torchvision \
            checkpoint (Tools/convert_checkpoint.py); speed does not depend on the values. --train times \
            train-mode forward, cross-entropy, backward and one SGD (momentum) update.

            Examples:
              vidi bench resnet50
              vidi bench resnet50 --batch 1 --batch 8 --size 224 --threads 1 --json
              vidi bench resnet50 --batch 8 --train
            """
    )

    @OptionGroup var options: BenchModelOptions
    @Option(name: .long, help: "Input height and width.") var size: Int = 224
    @Option(name: .long, help: "A ResNet-50 .safetensors checkpoint with torchvision key names.") var weights: String?

    func validate() throws {
        guard size >= 32 else { throw ValidationError("--size must be at least 32, got \(size)") }
    }

    func run() throws {
        var generator = RandomGenerator(seed: 50)
        let model = ResNet(.init(.resnet50), generator: &generator)
        if let weights { try model.loadStateDict(path: weights) }
        try BenchModel(name: "resnet50", unit: "images", module: model,
                       input: { n, g in Tensor.uniform([n, 3, size, size], low: -1, high: 1, generator: &g) },
                       forward: { try model($0) }, loss: BenchModel.classifierLoss).run(options)
    }
}
