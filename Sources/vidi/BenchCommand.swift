import ArgumentParser

/// `vidi bench …`: micro-benchmarks of Vidi's building blocks (run a release build).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the speed of Vidi's building blocks (use a release build).",
        subcommands: [
            BenchGemmCommand.self,
            BenchAddCommand.self,
            BenchDecodeCommand.self,
            BenchConvCommand.self,
            BenchResNetCommand.self,
            BenchVideoResNetCommand.self,
            BenchViTCommand.self,
            BenchTextTransformerCommand.self,
            BenchWebDatasetCommand.self,
            BenchRetrievalCommand.self,
        ]
    )
}
