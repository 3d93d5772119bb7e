import ArgumentParser
import Foundation
import VidiFormats
import VidiNN
import VidiPretext
import VidiTensor
import VidiTraining

/// `vidi probe-eval`: linear-probe accuracy of a pretext checkpoint's frozen clip features.
struct ProbeEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe-eval",
        abstract: "Linear-probe evaluation: fit a linear classifier on a checkpoint's frozen clip features, report accuracy.",
        discussion: """
            --checkpoint is a `vidi train mosi|hico|cmd` output (its encoder.backbone.* or clip_encoder.backbone.* \
            weights), or `random` for the randomly initialised baseline; the backbone options must match its \
            training. Samples need a clip array (--input, [T, H, W, 3]) and a label (.cls, or --label-field of the \
            .json).

            Protocol: the frozen encoder (evaluation mode) turns every sample of --shards and --val-shards into \
            its pooled feature once (--batch-size clips at a time); each feature dimension is standardised with \
            the training split's mean and std; a softmax regression is fitted on the whole training split for \
            --steps full-batch AdamW steps (--lr, --weight-decay; --seed draws its initial weights); accuracy is \
            reported on both splits (the training accuracy shows whether the probe converged).

            Example:
              vidi probe-eval --checkpoint runs/mosi/mosi.safetensors --shards 'actions/train-{00000..00001}.tar' \\
                --val-shards 'actions/val-00000.tar' --input frames.npy --label-field label --classes 4 \\
                --steps 1000 --lr 1e-2 --json
            """)

    @OptionGroup var training: TrainingOptions
    @OptionGroup var backbone: PretextBackboneOptions

    @Option(help: "Pretext checkpoint, or 'random'.") var checkpoint: String
    @Option(help: "The clip array member of each sample.") var input = "frames.npy"
    @Option(name: .customLong("label-field"), help: "Label from this field of the .json instead of the .cls member.") var labelField: String?
    @Option(help: "Number of classes.") var classes: Int
    @Flag(help: "Print the result as one JSON object.") var json = false

    func run() throws {
        try PretextTraining.failing("probe-eval") {
            training.applyThreads()
            guard let validation = try training.validationLoader() else {
                throw TrainingError.invalidOption("probe-eval needs --val-shards to measure accuracy")
            }
            var generator = RandomGenerator(seed: training.seed)
            let probe = try LinearProbe(backbone.configuration, checkpoint: checkpoint == "random" ? nil : checkpoint, generator: &generator)
            let labels = LabelReader(field: labelField, classes: classes)
            let train = try extract(try training.trainingLoader(), probe: probe, labels: labels)
            let val = try extract(validation, probe: probe, labels: labels)
            let classifier = try ProbeClassifier(features: train.features.shape[1], classes: classes, generator: &generator)
            let steps = training.steps ?? 1000
            let loss = try classifier.fit(features: train.features, labels: train.labels, steps: steps,
                                          learningRate: training.lr, weightDecay: training.weightDecay)
            let trainAccuracy = try classifier.accuracy(features: train.features, labels: train.labels)
            let valAccuracy = try classifier.accuracy(features: val.features, labels: val.labels)
            if json {
                try JSONOutput.print(JSONValue.object([
                    "checkpoint": .string(checkpoint), "seed": .int(Int(training.seed)), "steps": .int(steps),
                    "train_samples": .int(train.labels.shape[0]), "val_samples": .int(val.labels.shape[0]),
                    "features": .int(train.features.shape[1]), "train_loss": .double(Double(loss)),
                    "train_accuracy": .double(trainAccuracy), "val_accuracy": .double(valAccuracy),
                ]))
            } else {
                print(String(format: "probe-eval %@: validation accuracy %.4f (%d samples), training accuracy %.4f (%d samples), loss %.4f after %d step(s)",
                             checkpoint, valAccuracy, val.labels.shape[0], trainAccuracy, train.labels.shape[0], loss, steps))
            }
        }
    }

    /// Features [N, C] and labels [N] of every sample of `options`, once each, in shard order.
    private func extract(_ options: WebDatasetOptions, probe: LinearProbe, labels: LabelReader) throws -> (features: Tensor, labels: Tensor) {
        var options = options
        options.epochs = 1
        options.shuffleBuffer = 0
        options.shuffleShards = false
        let loader = try WebDatasetLoader(options)
        defer { loader.close() }
        var features: [Tensor] = [], classes: [Tensor] = []
        while let batch = try loader.nextBatch() {
            features.append(try probe.features(batch.tensor(input)))
            classes.append(try labels.labels(of: batch))
        }
        guard !features.isEmpty else { throw TrainingError.invalidOption("no samples in \(options.shards.joined(separator: ", "))") }
        return (try Tensor.concatenate(features, axis: 0), try Tensor.concatenate(classes, axis: 0))
    }
}
