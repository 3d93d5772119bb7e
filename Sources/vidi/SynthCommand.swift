import ArgumentParser

/// `vidi synth …`: seeded synthetic datasets that Vidi's bundled models train and are benchmarked on.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write seeded synthetic datasets.",
        subcommands: [
            SynthVOSCommand.self,
        ]
    )
}
