import ArgumentParser

/// `vidi pack …`: turn a dataset into WebDataset shards for `vidi train`.
struct PackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Write a dataset as WebDataset tar shards for `vidi train`.",
        subcommands: [
            // One line each.
            PackLocalizationCommand.self,
            PackRetrievalCommand.self,
        ]
    )
}
