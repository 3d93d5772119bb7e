import ArgumentParser
import Dispatch
import Foundation
import Synchronization
import VidiFormats
import VidiModelStages
import VidiPipeline
import VidiTensor
#if canImport(Glibc)
import Glibc
#endif

/// `vidi run SPEC`: runs a pipeline spec over a manifest and writes shards.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline spec (Pipelines/*.yaml) over a list of videos and write a dataset.",
        discussion: """
            Samples go to WebDataset shards (<shard>.tar) or a directory tree, each shard followed by \
            <shard>_stats.json, which marks it done; failures.jsonl lists every video that failed and why \
            (rebuilt from the stats files at the end of each run; `--resume` on a finished output rebuilds it). \
            Output is byte-identical whatever --workers or the --shard split. Several processes can share \
            one output directory with --shard I/N, or with the scheduler's environment: Slurm job arrays \
            (SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT), Kubernetes Indexed Jobs (JOB_COMPLETION_INDEX with \
            VIDI_SHARD_COUNT), any launcher (VIDI_SHARD_INDEX/VIDI_SHARD_COUNT). Exit status: 0 when every \
            video succeeded, 1 when some failed, 2 for a bad spec/manifest/option, 130 when interrupted.

            Model stages (e.g. `embed`, see Pipelines/embed.yaml) load their weights once per worker; each \
            worker's models get cores / workers compute threads. Stages with a run-level output (one file \
            for the whole run, e.g. `embed: {collect: embeddings.npz}`) write a part per shard under \
            parts/; the file itself is written when every shard is done, by the process that finishes \
            last, or on demand with --merge once all shards are done.
            """)

    @Argument(help: "Pipeline spec (YAML).")
    var spec: String

    @Option(help: "Manifest: text file of paths, CSV/JSONL with a path column, or a directory (overrides the spec's input).")
    var input: String?

    @Option(help: "Output directory (overrides the spec's output.path).")
    var output: String?

    @Option(help: "Videos processed at once (default: the spec's run.workers, else one per core).")
    var workers: Int?

    @Option(help: "Do only shards s with s % N == I, written I/N (default: from the scheduler's environment, else all).")
    var shard: String?

    @Flag(help: "Skip shards that are finished (have a stats file); redo the others.")
    var resume = false

    @Flag(help: "Redo shards even if they are finished.")
    var overwrite = false

    @Flag(help: "Process nothing: write the run-level outputs from the parts of a finished run (every shard done).")
    var merge = false

    @Flag(help: "Print the summary as JSON on stdout.")
    var json = false

    /// Every stage a spec may name: the built-in media stages, the model stages and the pretext generators.
    static func catalog() throws -> StageCatalog {
        try StageCatalog.standard.merging(.models).merging(.pretext)
    }

    func run() async throws {
        // Every video allocates a few MB of short-lived buffers (pictures, arrays, tar members). glibc
        // serves blocks over its adaptive threshold with fresh mmaps and trims freed heap at once, so each
        // video page-faulted its buffers in again (~25k faults per 50 videos, 7 % of the CPU); keep them.
        keepFreedMemory()
        let summary: RunSummary
        do {
            summary = try await execute()
        } catch let error as PipelineError {
            FileHandle.standardError.write(Data("vidi run: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if summary.merged { return }
        try report(summary)
        if summary.interrupted { throw ExitCode(130) }
        if !summary.failures.isEmpty { throw ExitCode(1) }
    }

    private func execute() async throws -> RunSummary {
        let spec = try PipelineSpec.load(path: self.spec, catalog: try Self.catalog())
        guard let manifestPath = input ?? spec.input.manifest else {
            throw PipelineError.invalidOption("no input: pass --input or set input.manifest in \(self.spec)")
        }
        guard let outputPath = output ?? spec.output.path else {
            throw PipelineError.invalidOption("no output: pass --output or set output.path in \(self.spec)")
        }
        let manifest = try Manifest.load(path: manifestPath, pathColumn: spec.input.pathColumn, extensions: spec.input.extensions)
        var options = RunOptions(workers: workers ?? spec.run.workers ?? ProcessInfo.processInfo.activeProcessorCount)
        if let workers, workers < 1 { throw PipelineError.invalidOption("--workers must be at least 1") }
        ComputeBudget.configure(workers: options.workers)
        if merge {
            let runner = PipelineRunner(spec: spec, manifest: manifest, outputDirectory: outputPath, options: options)
            let result = try runner.mergeRunOutputs()
            guard result.pending.isEmpty else { throw PipelineError.output(path: outputPath, message: result.pending.joined(separator: "; ")) }
            if result.written.isEmpty { throw PipelineError.invalidOption("--merge: no stage of \(self.spec) has a run-level output") }
            for path in result.written { print("wrote \(path)") }
            return RunSummary.mergeOnly(outputPath)
        }
        if resume && overwrite { throw PipelineError.invalidOption("--resume and --overwrite exclude each other") }
        if let shard {
            options.selection = try ShardSelection.parse(shard)
        } else if let fromEnvironment = try ShardSelection.fromEnvironment(ProcessInfo.processInfo.environment) {
            options.selection = fromEnvironment
        }
        options.resume = resume
        options.overwrite = overwrite
        let cancellation = CancellationFlag()
        options.cancellation = cancellation
        let interrupt = InterruptHandler(cancellation)
        defer { interrupt.restore() }
        let display = ProgressDisplay(terminal: isatty(STDERR_FILENO) == 1)
        options.progress = { display.update($0) }
        let summary = try await PipelineRunner(spec: spec, manifest: manifest, outputDirectory: outputPath, options: options).run()
        display.finish()
        return summary
    }

    private func report(_ s: RunSummary) throws {
        if json {
            try JSONOutput.print(JSONValue.object([
                "output": .string(s.outputDirectory), "shard_selection": .string(s.selection.description), "shards_total": .int(s.shardsTotal),
                "shards_assigned": .int(s.shardsAssigned), "shards_skipped": .int(s.shardsSkipped), "shards_written": .int(s.shardsWritten),
                "videos": .int(s.videos), "succeeded": .int(s.succeeded), "damaged": .int(s.damaged), "failed": .int(s.failures.count), "frames": .int(s.frames),
                "seconds": .double(s.seconds), "interrupted": .bool(s.interrupted),
                "failures": .array(s.failures.map { .object(["key": .string($0.key), "source": .string($0.source), "shard": .string($0.shard), "reason": .string($0.reason)]) }),
                "run_outputs": .array(s.runOutputsWritten.map { .string($0) }),
                "run_outputs_pending": .array(s.runOutputsPending.map { .string($0) }),
                "warnings": .array(s.warnings.map { .string($0) }),
            ]))
            return
        }
        var lines: [String] = []
        if s.interrupted { lines.append("interrupted: finished shards are kept; rerun with --resume to continue") }
        lines.append("wrote \(s.shardsWritten) shard(s), skipped \(s.shardsSkipped) finished, of \(s.shardsAssigned) assigned (\(s.selection)) and \(s.shardsTotal) in all")
        lines.append(String(format: "%d videos (%d ok) and %d frames in %.1f s: %.1f videos/s, %.0f frames/s",
                            s.videos, s.succeeded, s.frames, s.seconds,
                            s.seconds > 0 ? Double(s.videos) / s.seconds : 0, s.seconds > 0 ? Double(s.frames) / s.seconds : 0))
        if s.damaged > 0 {
            lines.append("\(s.damaged) damaged video(s) kept (run.damaged: keep): what is missing is in each sample's .json under \"damaged\"")
        }
        if !s.failures.isEmpty {
            lines.append("\(s.failures.count) video(s) failed (listed in failures.jsonl):")
            for failure in s.failures.prefix(20) { lines.append("  \(failure.source): \(failure.reason)") }
            if s.failures.count > 20 { lines.append("  ... and \(s.failures.count - 20) more") }
        }
        for warning in s.warnings { lines.append("warning: \(warning)") }
        for path in s.runOutputsWritten { lines.append("run output: \(path)") }
        for pending in s.runOutputsPending { lines.append("run output not yet written (\(pending)); `vidi run --merge` writes it once every shard is done") }
        lines.append("output: \(s.outputDirectory)")
        print(lines.joined(separator: "\n"))
    }
}

/// Progress on stderr: a redrawn bar on a terminal, a plain line every few seconds otherwise.
final class ProgressDisplay: Sendable {
    private let terminal: Bool
    private let lastDraw = Mutex<ContinuousClock.Instant?>(nil)
    private let drewBar = Atomic<Bool>(false)

    init(terminal: Bool) { self.terminal = terminal }

    func update(_ progress: RunProgress) {
        let interval: Duration = terminal ? .milliseconds(200) : .seconds(5)
        let now = ContinuousClock.now
        let isLast = progress.videosDone == progress.videosTotal
        let due = lastDraw.withLock { last -> Bool in
            // Logs get their first line only after one interval, so short runs stay quiet.
            if let previous = last {
                if now - previous < interval && !isLast { return false }
            } else if !terminal {
                last = now
                return false
            }
            last = now
            return true
        }
        guard due else { return }
        if terminal {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(ProgressLine.bar(progress))".utf8))
            drewBar.store(true, ordering: .relaxed)
        } else {
            FileHandle.standardError.write(Data("\(ProgressLine.plain(progress))\n".utf8))
        }
    }

    func finish() {
        if terminal, drewBar.load(ordering: .relaxed) { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

/// First SIGINT: stop starting videos, keep finished shards, exit 130. Second SIGINT: exit at once.
final class InterruptHandler {
    private let source: any DispatchSourceSignal

    init(_ cancellation: CancellationFlag) {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            if cancellation.isSet { _exit(130) }
            cancellation.set()
            FileHandle.standardError.write(Data("\ninterrupt: finishing bookkeeping (press Ctrl-C again to quit now)\n".utf8))
        }
        source.resume()
    }

    func restore() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}

/// glibc's `mallopt(M_MMAP_THRESHOLD, 32 MB)` and `mallopt(M_TRIM_THRESHOLD, 128 MB)` (malloc.h's
/// constants -3 and -1; Swift's Glibc module does not export malloc.h). A no-op on other C libraries.
private func keepFreedMemory() {
    guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "mallopt") else { return }
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
    _ = mallopt(-3, 32 << 20)
    _ = mallopt(-1, 128 << 20)
}
