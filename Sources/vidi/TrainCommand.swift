import ArgumentParser

/// `vidi train …`: train Vidi's models.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model.",
        subcommands: [
            // One line each.
            TrainLocalizeCommand.self,
        ]
    )
}
