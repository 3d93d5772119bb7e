import ArgumentParser
import Foundation
import VidiNN
import VidiPretext
import VidiTensor
import VidiTraining

/// `vidi probe-eval`: linear-probe accuracy of a pretext checkpoint's frozen clip features.
struct ProbeEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe-eval",
        abstract: "Linear-probe evaluation: train a linear classifier on a checkpoint's frozen clip features, report accuracy.",
        discussion: """
            --checkpoint is a `vidi train mosi|hico|cmd` output (its encoder.backbone.* or clip_encoder.backbone.* \
            weights), or `random` for the randomly initialised baseline; the backbone options must match its \
            training. Samples need a clip array (--input, [T, H, W, 3]) and a label (.cls, or --label-field of the \
            .json). Accuracy is measured on --val-shards at the end.

            Example:
              vidi probe-eval --checkpoint runs/mosi/mosi.safetensors --shards 'actions/train-{00000..00001}.tar' \\
                --val-shards 'actions/val-00000.tar' --input frames.npy --label-field label --classes 4 --steps 300
            """)

    @OptionGroup var training: TrainingOptions
    @OptionGroup var backbone: PretextBackboneOptions

    @Option(help: "Pretext checkpoint, or 'random'.") var checkpoint: String
    @Option(help: "The clip array member of each sample.") var input = "frames.npy"
    @Option(name: .customLong("label-field"), help: "Label from this field of the .json instead of the .cls member.") var labelField: String?
    @Option(help: "Number of classes.") var classes: Int

    func run() throws {
        try PretextTraining.failing("probe-eval") {
            training.applyThreads()
            guard training.validationShards != nil else { throw TrainingError.invalidOption("probe-eval needs --val-shards to measure accuracy") }
            var generator = RandomGenerator(seed: training.seed)
            let probe = try LinearProbe(backbone.configuration, classes: classes, checkpoint: checkpoint == "random" ? nil : checkpoint, generator: &generator)
            let labels = LabelReader(field: labelField, classes: classes)
            let trainingOptions = try training.trainingLoader()
            let optimizer = try AdamW(probe.fc.parameters, learningRate: training.lr, weightDecay: training.weightDecay)
            let trainer = Trainer(model: probe, optimizer: optimizer, configuration: try training.configuration(training: trainingOptions)) { batch, _ in
                try Losses.crossEntropy(probe(batch.tensor(input)), labels.labels(of: batch))
            }
            trainer.evaluate = { batch in
                let predicted = try probe(batch.tensor(input)).argmax(axis: 1)
                let correct = try predicted.eq(labels.labels(of: batch)).to(.float32).sum().item()
                return ["accuracy": MetricSum(sum: Double(correct), count: Double(batch.count))]
            }
            let summary = try trainer.fit(training: trainingOptions, validation: try training.validationLoader())
            let accuracy = summary.validation["accuracy"] ?? .nan
            print(String(format: "probe-eval %@: accuracy %.4f on the validation shards after %d step(s)", checkpoint, accuracy, summary.state.step))
        }
    }
}
