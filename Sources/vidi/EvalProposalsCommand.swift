import ArgumentParser
import Foundation
import VidiLocalization

/// `vidi eval proposals`: ActivityNet proposal AR@AN and AUC.
struct EvalProposalsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proposals",
        abstract: "Proposal average recall vs. proposals per video (AR@AN) and AUC, as ActivityNet's eval_proposal.py.",
        discussion: """
            Labels are ignored. --json prints: tiou, AN (100 values), AR (100 values), AR@1, AR@5, AR@10, \
            AR@100 (at the closest AN), AUC (in [0, 1]; the official script prints it x 100).

            Example:
              vidi eval proposals --gt gt.json --pred proposals.json --max-proposals 100
            """
    )

    @Option(help: "Ground-truth annotation JSON (ActivityNet layout).") var gt: String
    @Option(help: "Proposal JSON: {\"results\": {video: [{\"score\", \"segment\"}]}}.") var pred: String
    @Option(help: "Subset of the ground truth to evaluate; 'all' for every video.") var subset = "validation"
    @Option(help: "tIoU thresholds: start:step:stop or a list.") var tiou = "0.5:0.05:0.95"
    @Option(help: "Largest average number of proposals per video (AN).") var maxProposals: Double = 100
    @Flag(help: "Print one JSON object instead of text.") var json = false

    func run() throws {
        let result: ProposalEvaluation
        do {
            let thresholds = try parseThresholds(tiou)
            let truth = try GroundTruthFile.read(path: gt)
            let proposals = try PredictionFile.decode(OrderedJSON.read(path: pred), path: pred, requireLabel: false)
            result = try ProposalEvaluation(groundTruth: truth, proposals: proposals, subset: subset == "all" ? nil : subset,
                                            maxAverageProposals: maxProposals, thresholds: thresholds)
        } catch {
            EvalOutput.fail(error)
        }
        let at = [1.0, 5, 10, 100].filter { $0 <= maxProposals }
        if json {
            var object: [(key: String, value: OrderedJSON)] = [
                ("tiou", .array(result.thresholds.map { .number($0) })),
                ("AN", .array(result.proposalsPerVideo.map { .number($0) })),
                ("AR", .array(result.averageRecall.map { .number($0) })),
            ]
            for n in at { object.append(("AR@\(Int(n))", .number(result.averageRecall(atProposals: n) ?? 0))) }
            object.append(("AUC", .number(result.areaUnderCurve)))
            EvalOutput.printJSON(.object(object))
        } else {
            for n in at { print(String(format: "AR@%-4d %.2f%%", Int(n), 100 * (result.averageRecall(atProposals: n) ?? 0))) }
            print(String(format: "AUC     %.2f%%", 100 * result.areaUnderCurve))
        }
    }
}
