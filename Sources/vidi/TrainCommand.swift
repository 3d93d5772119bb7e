import ArgumentParser

/// `vidi train …`: training commands, one subcommand per model.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train models.",
        subcommands: [
            TrainVOSCommand.self,
        ]
    )
}
