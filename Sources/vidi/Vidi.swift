import ArgumentParser
import VidiTensor

@main
struct Vidi: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vidi",
        abstract: "Native video understanding: decode, sample, extract motion, preprocess datasets, run models.",
        discussion: """
            Frame indices are display order, starting at 0. Every command that takes several files keeps \
            going past a bad one and exits 1 if any failed. Add --json for machine-readable output.
            """,
        version: "0.1.0",
        subcommands: [
            // Subcommands are registered here, one line each.
            ProbeCommand.self,
            FramesCommand.self,
            KeyframesCommand.self,
            MotionCommand.self,
            BenchCommand.self,
            RunCommand.self,
            EvalCommand.self,
            TokenizeCommand.self,
            EncodeCommand.self,
            IndexCommand.self,
            SearchCommand.self,
            TrainCommand.self,
            SynthClipsCommand.self,
            SynthCommand.self,
            FeaturesCommand.self,
            LocalizeCommand.self,
            SegmentCommand.self,
            PretextCommand.self,
            ProbeEvalCommand.self,
            PackCommand.self,
        ]
    )

    /// OpenBLAS starts its worker threads when the library loads, and each spins for ~0.1 s of CPU before
    /// sleeping: that doubled the CPU time of short decodes (`vidi bench decode`, keyframes) and took cores
    /// from the video workers. End them first; OpenBLAS starts them again on its next threaded SGEMM.
    static func main() async {
        BLAS.stopIdleThreads()
        await main(nil)
    }
}
