import ArgumentParser

/// `vidi synth …`: seeded synthetic benchmarks.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write seeded synthetic benchmark data.",
        subcommands: [
            // One line each.
            SynthLocalizationCommand.self,
            SynthVOSCommand.self,
        ]
    )
}
