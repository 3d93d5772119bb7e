import Foundation
import VidiPipeline
import VidiTraining
#if canImport(Glibc)
import Glibc
#endif

/// What every `vidi train` subcommand shows on stderr: a redrawn progress bar with loss and samples/s on
/// a terminal, a plain line every 10 s otherwise; validation results and checkpoints as lines. Ctrl-C
/// stops after the current step with a checkpoint (`--resume` continues); a second Ctrl-C quits at once.
final class TrainingConsole {
    private let terminal = isatty(STDERR_FILENO) == 1
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var lastDraw: ContinuousClock.Instant?
    private var drewBar = false
    private let cancellation = CancellationFlag()
    private var interrupt: InterruptHandler?

    init() { started = clock.now }

    /// Hooks the console into `trainer`: progress, Ctrl-C.
    func attach(to trainer: Trainer) {
        interrupt = InterruptHandler(cancellation)
        let cancellation = self.cancellation
        trainer.stopRequested = { cancellation.isSet }
        trainer.checkpointOnStop = true
        trainer.onEvent = { [self] event in self.show(event) }
    }

    func show(_ event: TrainingEvent) {
        switch event {
        case .resumed(let path, let state):
            line("resumed from \(path) at step \(state.step) (\(state.position))")
        case .step(let report):
            let now = clock.now
            let interval: Duration = terminal ? .milliseconds(100) : .seconds(10)
            let last = report.totalSteps.map { report.step >= $0 } ?? false
            if let previous = lastDraw, now - previous < interval, !last { return }
            if lastDraw == nil && !terminal { lastDraw = now; return }  // short runs stay quiet in logs
            lastDraw = now
            if terminal {
                let elapsed = (now - started) / .seconds(1)
                FileHandle.standardError.write(Data("\r\u{1B}[K\(TrainingProgressLine.bar(report, elapsed: elapsed))".utf8))
                drewBar = true
            } else {
                FileHandle.standardError.write(Data("\(TrainingProgressLine.plain(report))\n".utf8))
            }
        case .validation(let step, let metrics):
            let text = metrics.keys.sorted().map { "\($0) \(String(format: "%.4f", metrics[$0] ?? .nan))" }.joined(separator: "  ")
            line("validation at step \(step): \(text)")
        case .checkpoint(let path, _):
            if cancellation.isSet { line("checkpoint \(path)") }
        }
    }

    /// Ends the bar's line and restores Ctrl-C.
    func finish() {
        if drewBar { FileHandle.standardError.write(Data("\n".utf8)) }
        drewBar = false
        interrupt?.restore()
        interrupt = nil
    }

    private func line(_ text: String) {
        let prefix = drewBar ? "\r\u{1B}[K" : ""
        FileHandle.standardError.write(Data("\(prefix)\(text)\n".utf8))
    }
}
