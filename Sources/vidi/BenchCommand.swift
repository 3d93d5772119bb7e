import ArgumentParser

/// `vidi bench …`: micro-benchmarks of Vidi's building blocks (run a release build).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the speed of Vidi's building blocks (use a release build).",
        discussion: """
            Environment: VIDI_PARALLEL_PROFILE=1 makes the model benchmarks (resnet50, r2plus1d, vit, \
            text-transformer; best with --threads 1) print where a second core would idle: the serial CPU \
            share, each parallel loop's CPU time against its span on 2 simulated cores, and the matrix \
            products that run on one core. It runs every loop on one thread, so its timings are not the \
            benchmark's. VIDI_GEMM_TILES=N overrides the most tiles one matrix product is cut into. \
            VIDI_PARALLEL_SPIN_US=N sets how long idle worker threads poll for the next parallel loop before \
            they sleep (default 200; 0 sleeps at once). VIDI_PARALLEL_GAPS=1 prints, at exit, how long the \
            calling thread worked alone between parallel loops.
            """,
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
