import Foundation

/// Text of the training progress display: a bar for terminals, a plain line for logs.
public enum TrainingProgressLine {
    /// `[#########...............] step 120/500  epoch 0  loss 0.4312  lr 1.00e-03  850.2 samples/s  ETA 1m52s`
    public static func bar(_ report: StepReport, elapsed: Double, width: Int = 24) -> String {
        var text = ""
        if let total = report.totalSteps, total > 0 {
            let filled = min(width, report.step * width / total)
            text = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
        }
        text += fields(report)
        if let total = report.totalSteps, report.step > 0, report.step < total, elapsed > 0 {
            text += "  ETA " + duration(elapsed / Double(report.step) * Double(total - report.step))
        }
        return text
    }

    /// One self-contained line for non-terminal output.
    public static func plain(_ report: StepReport) -> String {
        "train: " + fields(report)
    }

    static func fields(_ r: StepReport) -> String {
        var text = "step \(r.step)" + (r.totalSteps.map { "/\($0)" } ?? "")
        text += "  epoch \(r.epoch)  loss " + String(format: "%.4f", r.loss) + "  lr " + String(format: "%.2e", r.learningRate)
        if let norm = r.gradientNorm { text += "  grad " + String(format: "%.3g", norm) }
        text += String(format: "  %.1f samples/s", r.samplesPerSecond)
        return text
    }

    /// `1h02m`, `3m05s`, `42s`.
    public static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total >= 3600 { return String(format: "%dh%02dm", total / 3600, total % 3600 / 60) }
        if total >= 60 { return String(format: "%dm%02ds", total / 60, total % 60) }
        return "\(total)s"
    }
}
