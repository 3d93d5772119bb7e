import ArgumentParser

/// `vidi eval <task>`: evaluation commands, one subcommand per task.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate model outputs against ground truth.",
        subcommands: [
            EvalRetrievalCommand.self,
        ]
    )
}
