import ArgumentParser
import Foundation
import VidiNN
import VidiTensor

/// `vidi bench vit`: CLIP's ViT-B/32 image encoder (224², width 768, 12 layers, 12 heads, 512-d output),
/// images per second for inference or a training step.
struct BenchViTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vit",
        abstract: "Time CLIP's ViT-B/32 image encoder and report images per second.",
        discussion: """
            Seeded random weights (CLIP's init). --train times forward, the mean square of the embedding, \
            backward and one SGD (momentum) update.

            Examples:
              vidi bench vit --batch 1 --batch 8
              vidi bench vit --batch 8 --threads 2 --train --json
            """
    )

    @OptionGroup var options: BenchModelOptions

    func run() throws {
        var generator = RandomGenerator(seed: 32)
        let model = CLIPVisionTransformer(inputResolution: 224, patchSize: 32, width: 768, layers: 12, heads: 12,
                                          outputDim: 512, generator: &generator)
        try BenchModel(name: "vit", unit: "images", module: model,
                       input: { n, g in Tensor.uniform([n, 3, 224, 224], low: -1, high: 1, generator: &g) },
                       forward: { try model($0) }, loss: BenchModel.meanSquareLoss).run(options)
    }
}
