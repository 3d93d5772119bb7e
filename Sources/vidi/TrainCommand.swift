import ArgumentParser

/// `vidi train …`: training commands; each model module adds its subcommand here (one line each), and
/// all of them share `TrainingOptions` and the VidiTraining runtime.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train models on WebDataset shards (e.g. written by `vidi run`).",
        discussion: """
            Every subcommand reads shards with a seeded shuffle buffer, logs the loss per step to \
            train_log.jsonl and validation metrics to metrics.jsonl in --checkpoint-dir, and writes \
            safetensors checkpoints there (model, optimizer, step, reader position, random state). \
            --resume continues from the newest one and ends exactly where an uninterrupted run would.
            """,
        subcommands: [
            TrainClassifierCommand.self,
            TrainRetrievalCommand.self,
            TrainLocalizeCommand.self,
            TrainVOSCommand.self,
            TrainMoSICommand.self,
            TrainHiCoCommand.self,
            TrainCMDCommand.self,
        ]
    )
}
