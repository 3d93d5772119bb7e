import ArgumentParser
import Foundation
import VidiLocalization

/// `vidi eval detection`: ActivityNet/THUMOS temporal detection mAP.
struct EvalDetectionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detection",
        abstract: "Temporal action detection mAP at tIoU thresholds, as ActivityNet's eval_detection.py computes it.",
        discussion: """
            GT.json is an ActivityNet-style annotation file ({"database": {video: {"subset", "annotations": \
            [{"segment": [s, e], "label"}]}}}); PRED.json holds {"results": {video: [{"label", "score", \
            "segment"}]}}. Classes are the labels of the subset's ground truth; a class without predictions \
            has AP 0; predictions with other labels are ignored (and counted).

            Examples:
              vidi eval detection --gt gt.json --pred pred.json --tiou 0.3:0.1:0.7
              vidi eval detection --gt activity_net.v1-3.min.json --pred pred.json --json | jq .average_mAP

            --json prints one object: tiou, mAP (one per threshold), average_mAP, per_class (class -> AP per \
            threshold), classes, ignored_predictions.
            """
    )

    @Option(help: "Ground-truth annotation JSON (ActivityNet layout).") var gt: String
    @Option(help: "Prediction JSON (ActivityNet layout).") var pred: String
    @Option(help: "Subset of the ground truth to evaluate; 'all' for every video.") var subset = "validation"
    @Option(help: "tIoU thresholds: start:step:stop, or a comma-separated list. Default 0.5:0.05:0.95 (ActivityNet).")
    var tiou = "0.5:0.05:0.95"
    @Option(help: "Also report mAP by action duration, relative to the video (edges, e.g. 0.01,0.03,0.09,0.27,0.8).")
    var durationBuckets: String?
    @Flag(help: "Print one JSON object instead of a table.") var json = false

    func run() throws {
        let result: DetectionEvaluation
        var buckets: [(range: ClosedRange<Double>, result: DetectionEvaluation)] = []
        do {
            let thresholds = try parseThresholds(tiou)
            let truth = try GroundTruthFile.read(path: gt)
            let predictions = try PredictionFile.read(path: pred)
            result = DetectionEvaluation(groundTruth: truth, predictions: predictions,
                                         subset: subset == "all" ? nil : subset, thresholds: thresholds)
            if let durationBuckets {
                let edges = durationBuckets.split(separator: ",").compactMap { Double($0) }
                guard edges.count >= 2, zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }) else {
                    throw ValidationError("--duration-buckets needs at least two increasing numbers")
                }
                buckets = DurationBuckets.evaluate(groundTruth: truth, predictions: predictions, subset: subset == "all" ? nil : subset,
                                                   thresholds: thresholds, edges: edges)
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            EvalOutput.fail(error)
        }
        guard !result.classes.isEmpty else {
            EvalOutput.fail("no ground-truth segments in subset '\(subset)' of \(gt) (pass --subset, or --subset all)")
        }
        if json {
            var object = EvalOutput.detectionObject(result)
            if !buckets.isEmpty, case .object(var members) = object {
                members.append(("by_duration", .array(buckets.map { b in
                    .object([("range", .string("\(b.range.lowerBound)-\(b.range.upperBound)")), ("mAP", .array(b.result.mAP.map { .number($0) })),
                             ("average_mAP", .number(b.result.averageMAP))])
                })))
                object = .object(members)
            }
            EvalOutput.printJSON(object)
        } else {
            for b in buckets {
                print(String(format: "duration %.2f-%.2f: average mAP %.2f%%", b.range.lowerBound, b.range.upperBound, 100 * b.result.averageMAP))
            }
            print("tIoU   " + result.thresholds.map { String(format: "%6.2f", $0) }.joined(separator: " "))
            print("mAP(%) " + result.mAP.map { String(format: "%6.2f", 100 * $0) }.joined(separator: " "))
            print(String(format: "average mAP: %.2f%% over %d classes", 100 * result.averageMAP, result.classes.count))
            if result.ignoredPredictions > 0 {
                print("ignored \(result.ignoredPredictions) predictions whose label is not a ground-truth class")
            }
        }
    }
}
