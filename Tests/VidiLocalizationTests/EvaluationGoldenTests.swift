import Foundation
import Testing
import VidiLocalization
import VidiTestSupport

/// Random cases whose expected numbers come from ActivityNet's official `eval_detection.py` and
/// `eval_proposal.py` (commit 82304fa), run by `Tools/localization/make_eval_goldens.py`.
@Suite struct EvaluationGoldenTests {
    struct Case: Decodable {
        let caseNumber: Int
        let tiou: [Double]
        let mAP: [Double]
        let averageMAP: Double
        let perClass: [String: [Double]]
        let AR: [Double]
        let AN: [Double]
        let AUC: Double
        enum CodingKeys: String, CodingKey {
            case caseNumber = "case", tiou, mAP, averageMAP = "average_mAP", perClass = "per_class", AR, AN, AUC
        }
    }

    static func cases() throws -> [Case] {
        struct File: Decodable { let cases: [Case] }
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("golden/localization/eval/expected.json")))
        return try JSONDecoder().decode(File.self, from: data).cases
    }

    static func files(_ number: Int) throws -> (GroundTruthFile, PredictionFile) {
        (try GroundTruthFile.read(path: Fixtures.path("golden/localization/eval/case-\(number)-gt.json")),
         try PredictionFile.read(path: Fixtures.path("golden/localization/eval/case-\(number)-pred.json")))
    }

    @Test(arguments: 0..<6) func detectionMatchesOfficialCode(number: Int) throws {
        let expected = try Self.cases()[number]
        let (truth, predictions) = try Self.files(number)
        let result = DetectionEvaluation(groundTruth: truth, predictions: predictions, subset: "validation", thresholds: expected.tiou)
        #expect(Set(result.classes) == Set(expected.perClass.keys))
        for (t, value) in expected.mAP.enumerated() { #expect(abs(result.mAP[t] - value) < 1e-12, "mAP at \(expected.tiou[t])") }
        #expect(abs(result.averageMAP - expected.averageMAP) < 1e-12)
        for (c, name) in result.classes.enumerated() {
            for t in expected.tiou.indices { #expect(abs(result.ap[t][c] - expected.perClass[name]![t]) < 1e-12, "AP of \(name) at \(expected.tiou[t])") }
        }
    }

    @Test(arguments: 0..<6) func proposalsMatchOfficialCode(number: Int) throws {
        let expected = try Self.cases()[number]
        let (truth, predictions) = try Self.files(number)
        let result = try ProposalEvaluation(groundTruth: truth, proposals: predictions, subset: "validation", maxAverageProposals: 100)
        #expect(result.proposalsPerVideo.count == expected.AN.count)
        for k in expected.AN.indices {
            #expect(abs(result.proposalsPerVideo[k] - expected.AN[k]) < 1e-9, "AN[\(k)]")
            #expect(abs(result.averageRecall[k] - expected.AR[k]) < 1e-12, "AR[\(k)]")
        }
        #expect(abs(result.areaUnderCurve - expected.AUC) < 1e-12)
    }
}
