import ArgumentParser

/// `vidi train <model>`: training commands, one subcommand per model.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train models.",
        subcommands: [
            TrainRetrievalCommand.self,
        ]
    )
}
