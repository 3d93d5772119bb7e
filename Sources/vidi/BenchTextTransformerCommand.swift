import ArgumentParser
import Foundation
import VidiNN
import VidiRetrieval
import VidiTensor

/// `vidi bench text-transformer`: CLIP's text encoder (77 tokens, width 512, 12 layers, 8 heads, causal
/// mask, 512-d output at the end-of-text token), texts per second for inference or a training step.
struct BenchTextTransformerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text-transformer",
        abstract: "Time CLIP's 77-token text transformer and report texts per second.",
        discussion: """
            Seeded random weights (CLIP's init) and random token ids, each text ending in the end-of-text \
            token. --train times forward, the mean square of the embedding, backward and one SGD (momentum) \
            update.

            Examples:
              vidi bench text-transformer --batch 1 --batch 8
              vidi bench text-transformer --batch 8 --threads 1 --train --json
            """
    )

    @OptionGroup var options: BenchModelOptions

    func run() throws {
        var generator = RandomGenerator(seed: 77)
        let vocabulary = 49408, context = 77
        let model = CLIPModel(.init(embedDim: 512, vision: nil, text: .init(contextLength: context, vocabularySize: vocabulary,
                                                                             width: 512, layers: 12)),
                              generator: &generator)
        try BenchModel(name: "text-transformer", unit: "texts", module: model,
                       input: { n, g in
                           // Random ids below the end-of-text id, which closes every text (where encode_text reads).
                           var ids = (0..<(n * context)).map { _ in Int64(g.nextIndex(below: vocabulary - 1)) }
                           for row in 0..<n { ids[row * context + context - 1] = Int64(vocabulary - 1) }
                           return try Tensor(elements: ids, shape: [n, context])
                       },
                       forward: { try model.encodeText($0) }, loss: BenchModel.meanSquareLoss).run(options)
    }
}
