import ArgumentParser

/// `vidi eval …`: benchmark evaluations in the official tools' layouts and arithmetic.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate results with the benchmarks' official measures.",
        subcommands: [
            EvalDavisCommand.self,
        ]
    )
}
