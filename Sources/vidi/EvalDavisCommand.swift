import ArgumentParser
import Foundation
import VidiSegmentation

/// `vidi eval davis`: the DAVIS 2017 semi-supervised evaluation (davis2017-evaluation's
/// `evaluation_method.py`, same arguments and column names).
struct EvalDavisCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "davis",
        abstract: "J, F and J&F of VOS results against DAVIS-layout ground truth (DAVIS 2017 rules).",
        discussion: """
            Computes region similarity J and boundary accuracy F per object and frame, then mean, recall and \
            decay per object, exactly as davis2017-evaluation does: objects are the ids of each sequence's \
            first annotation, its first and last frames are skipped, 255 is void. Results are palette (or \
            8-bit grayscale) PNGs in RESULTS/<sequence>/<frame>.png named like the annotations, as \
            `vidi segment` writes them.

            Examples:
              vidi eval davis --davis-path DAVIS --results-path results/rde
              vidi eval davis --davis-path synth --set val --results-path out --json | jq '.global["J&F-Mean"]'

            Unlike the official script it reads no cached CSVs and writes none, and needs no JPEGImages. \
            Only the semi-supervised task is implemented.
            """
    )

    @Option(name: .customLong("davis-path"), help: "DAVIS folder holding Annotations/480p and ImageSets/2017.")
    var davisPath: String

    @Option(name: .customLong("results-path"), help: "Folder holding one subfolder of PNG masks per sequence.")
    var resultsPath: String

    @Option(name: .long, help: "Subset (a list in ImageSets/2017): train, val, test-dev, test-challenge.")
    var set = "val"

    @Option(name: .long, help: "Task: semi-supervised (the only one implemented).")
    var task = "semi-supervised"

    @Flag(name: .long, help: "Print one JSON object: global measures and per-object results.")
    var json = false

    func validate() throws {
        guard task == "semi-supervised" else {
            throw ValidationError("--task \(task): only semi-supervised is implemented (unsupervised needs proposal matching)")
        }
    }

    func run() throws {
        let report: DavisReport
        do {
            let evaluation = DavisEvaluation(dataset: try DavisDataset(root: davisPath, set: set))
            report = try evaluation.evaluate(resultsPath: resultsPath)
        } catch {
            FileHandle.standardError.write(Data("vidi: \(error)\n".utf8))
            throw ExitCode(1)
        }
        print(json ? try Self.json(report) : Self.text(report, set: set))
    }

    static func number(_ value: Double) -> Any { value.isFinite ? value : NSNull() }

    static func json(_ report: DavisReport) throws -> String {
        var global: [String: Any] = [:]
        for (name, value) in report.global { global[name] = number(value) }
        let objects: [[String: Any]] = report.objects.map { object in
            ["Sequence": object.name, "J-Mean": number(object.j.mean), "J-Recall": number(object.j.recall),
             "J-Decay": number(object.j.decay), "F-Mean": number(object.f.mean), "F-Recall": number(object.f.recall),
             "F-Decay": number(object.f.decay)]
        }
        let data = try JSONSerialization.data(withJSONObject: ["global": global, "per_sequence": objects],
                                              options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    static func text(_ report: DavisReport, set: String) -> String {
        func cell(_ value: Double, _ width: Int) -> String {
            let text = value.isFinite ? String(format: "%.3f", value) : "nan"
            return String(repeating: " ", count: max(width - text.count, 0)) + text
        }
        let global = report.global
        var lines = ["--------------------------- Global results for \(set) ---------------------------"]
        lines.append(global.map { $0.name }.joined(separator: " "))
        lines.append(global.map { cell($0.value, $0.name.count) }.joined(separator: " "))
        lines.append("")
        lines.append("---------- Per sequence results for \(set) ----------")
        let width = max(report.objects.map { $0.name.count }.max() ?? 0, 8)
        lines.append("Sequence".padding(toLength: width, withPad: " ", startingAt: 0) + " J-Mean F-Mean")
        for object in report.objects {
            lines.append(object.name.padding(toLength: width, withPad: " ", startingAt: 0)
                         + " " + cell(object.j.mean, 6) + " " + cell(object.f.mean, 6))
        }
        return lines.joined(separator: "\n")
    }
}
