import ArgumentParser

/// `vidi eval …`: benchmark metrics computed as the datasets' official code computes them.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score predictions against ground truth with each benchmark's official metric.",
        subcommands: [
            // One line each.
            EvalDetectionCommand.self,
            EvalProposalsCommand.self,
            EvalRetrievalCommand.self,
            EvalDavisCommand.self,
        ]
    )
}
