import Foundation
import VidiLocalization

/// Printing helpers shared by the `vidi eval` commands.
enum EvalOutput {
    static func fail(_ error: Any) -> Never {
        FileHandle.standardError.write(Data("vidi: \(error)\n".utf8))
        exit(1)
    }

    static func printJSON(_ value: OrderedJSON) {
        print(OrderedJSON.compactText(value))
    }

    static func detectionObject(_ result: DetectionEvaluation) -> OrderedJSON {
        let perClass: [(key: String, value: OrderedJSON)] = result.classes.indices.map { c in
            (result.classes[c], .array(result.thresholds.indices.map { .number(result.ap[$0][c]) }))
        }
        return .object([
            ("tiou", .array(result.thresholds.map { .number($0) })),
            ("mAP", .array(result.mAP.map { .number($0) })),
            ("average_mAP", .number(result.averageMAP)),
            ("per_class", .object(perClass)),
            ("classes", .number(Double(result.classes.count))),
            ("ignored_predictions", .number(Double(result.ignoredPredictions))),
        ])
    }
}
