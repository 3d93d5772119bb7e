import ArgumentParser
import Foundation
import VidiNN
import VidiTensor
import VidiTraining

/// `vidi train classifier`: a small frame/clip classifier on WebDataset shards.
struct TrainClassifierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classifier",
        abstract: "Train a small frame/clip classifier on shards with an .npy input and a class label.",
        discussion: """
            Each sample needs an array member (--input, e.g. frames.npy from `vidi run Pipelines/frames.yaml`) \
            and a label: a .cls member holding an integer (WebDataset's convention), or a field of the \
            sample's .json (--label-field; `vidi run` copies manifest columns there, so a CSV manifest with a \
            `label` column gives labelled shards). Arrays [T, H, W, 3] or [H, W, 3] (uint8 pixels are scaled \
            to [0, 1]) go through two strided convolutions with batch norm, pooled over space and time; any \
            other array is flattened into a two-layer MLP. AdamW with the shared schedule options.

            Writes to --checkpoint-dir: step-N.safetensors checkpoints, train_log.jsonl (loss per step), \
            metrics.jsonl (validation loss and accuracy), and at the end classifier.safetensors (the model's \
            state dict) with classifier.json (its configuration).

            Example (labelled.csv: path,label):
              vidi run Pipelines/frames.yaml --input labelled.csv \\
                --output out/frames
              vidi train classifier --shards 'out/frames/{00000..00003}.tar' \\
                --label-field label --classes 10 --steps 2000 \\
                --checkpoint-dir runs/clf --val-every 200
            """)

    @OptionGroup var training: TrainingOptions

    @Option(help: "The array member each sample's input comes from (default: the sample's only .npy member).")
    var input: String?

    @Option(name: .customLong("label-field"), help: "Take the label from this field of the sample's .json instead of its .cls member.")
    var labelField: String?

    @Option(help: "Number of classes (labels are 0 ..< classes).")
    var classes: Int

    @Option(help: "Width of the network (channels of the first convolution, or hidden units).")
    var width = 32

    @Flag(help: "Print the summary as JSON on stdout.")
    var json = false

    func validate() throws {
        guard classes >= 2 else { throw ValidationError("--classes must be at least 2") }
        guard width >= 1 else { throw ValidationError("--width must be at least 1") }
    }

    func run() throws {
        do {
            try execute()
        } catch let error as TrainingError {
            FileHandle.standardError.write(Data("vidi train classifier: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    private func execute() throws {
        training.applyThreads()
        let trainingOptions = try training.trainingLoader()
        let validationOptions = try training.validationLoader()
        let first = try WebDatasetInspection.firstSample(of: trainingOptions.shards)
        let inputName = try Self.inputMember(input, in: first)
        guard case .tensor(let example)? = first.values[inputName] else {
            throw TrainingError.badSample(key: first.key, reason: "'\(inputName)' is not an .npy array")
        }
        var generator = RandomGenerator(seed: training.seed)
        let model = try ClipClassifier(.init(inputShape: example.shape, classes: classes, width: width), generator: &generator)
        let optimizer = try AdamW(model.parameters, learningRate: training.lr, weightDecay: training.weightDecay)
        let labels = LabelReader(field: labelField, classes: classes)
        let trainer = Trainer(model: model, optimizer: optimizer, configuration: try training.configuration(training: trainingOptions)) { batch, _ in
            try Losses.crossEntropy(model(batch.tensor(inputName)), labels.labels(of: batch))
        }
        trainer.evaluate = { batch in
            let predicted = try model(batch.tensor(inputName)).argmax(axis: 1)
            let correct = try predicted.eq(labels.labels(of: batch)).to(.float32).sum().item()
            return ["accuracy": MetricSum(sum: Double(correct), count: Double(batch.count))]
        }
        let console = TrainingConsole()
        console.attach(to: trainer)
        let summary: TrainingSummary
        do {
            defer { console.finish() }
            summary = try trainer.fit(training: trainingOptions, validation: validationOptions)
        }
        if let directory = training.checkpointDirectory, !summary.interrupted {
            try model.saveStateDict(to: (directory as NSString).appendingPathComponent("classifier.safetensors"),
                                    metadata: ["input": inputName])
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            try encoder.encode(model.configuration).write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("classifier.json")))
        }
        try report(summary)
        if summary.interrupted { throw ExitCode(130) }
    }

    /// `--input`, or the only `.npy` member of the first sample.
    static func inputMember(_ requested: String?, in sample: DecodedSample) throws -> String {
        if let requested { return requested }
        let arrays = sample.values.keys.filter { $0.hasSuffix("npy") }.sorted()
        guard arrays.count == 1 else {
            throw TrainingError.invalidOption("pass --input: sample \(sample.key) has \(arrays.isEmpty ? "no .npy member" : "several: \(arrays)")")
        }
        return arrays[0]
    }

    private func report(_ summary: TrainingSummary) throws {
        let report = summary.report
        if json {
            var object: [String: JSONValue] = [
                "steps": .int(summary.state.step), "samples": .int(summary.state.samples), "interrupted": .bool(summary.interrupted),
                "shards_read": .int(report.shardsRead), "shards_failed": .int(report.shardsFailed),
                "samples_skipped": .int(report.samplesSkipped),
            ]
            if let loss = summary.lastLoss { object["loss"] = .double(Double(loss)) }
            for (name, value) in summary.validation where value.isFinite { object["validation_" + name] = .double(value) }
            if let checkpoint = summary.checkpoint { object["checkpoint"] = .string(checkpoint) }
            try JSONOutput.print(.object(object))
            return
        }
        var lines = ["trained \(summary.state.step) step(s) on \(summary.state.samples) sample(s)"
            + (summary.lastLoss.map { String(format: ", last loss %.4f", $0) } ?? "")]
        if !summary.validation.isEmpty {
            lines.append("validation: " + summary.validation.keys.sorted().map { String(format: "%@ %.4f", $0, summary.validation[$0] ?? .nan) }.joined(separator: ", "))
        }
        lines.append("reader: " + report.summary)
        for problem in (report.shardFailures + report.sampleFailures).prefix(10) { lines.append("  skipped \(problem)") }
        if let checkpoint = summary.checkpoint { lines.append("checkpoint: \(checkpoint)") }
        if summary.interrupted { lines.append("interrupted: rerun with --resume to continue") }
        print(lines.joined(separator: "\n"))
    }
}

/// Labels of a batch: its stacked `.cls` member, or an integer field of each sample's `.json`.
struct LabelReader {
    let field: String?
    let classes: Int

    func labels(of batch: Batch) throws -> Tensor {
        var values: [Int64]
        if let field {
            values = []
            for (key, value) in zip(batch.keys, batch.values("json")) {
                guard case .json(.object(let document)) = value, let item = document[field] else {
                    throw TrainingError.badSample(key: key, reason: "no '\(field)' field in its .json")
                }
                // Manifest columns from a CSV arrive as strings; JSONL columns as numbers.
                let label: Int64?
                switch item {
                case .int(let number): label = Int64(number)
                case .double(let number): label = Int64(exactly: number)
                case .string(let text): label = Int64(text)
                default: label = nil
                }
                guard let label else { throw TrainingError.badSample(key: key, reason: "'\(field)' is not an integer label") }
                values.append(label)
            }
        } else {
            values = try batch.tensor("cls").toArray(Int64.self)
        }
        if let bad = zip(batch.keys, values).first(where: { !(0..<Int64(classes)).contains($0.1) }) {
            throw TrainingError.badSample(key: bad.0, reason: "label \(bad.1) is outside 0 ..< \(classes)")
        }
        return try Tensor(values, shape: [values.count])
    }
}
