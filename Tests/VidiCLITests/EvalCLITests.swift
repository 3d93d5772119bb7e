import Foundation
import Testing
import VidiTestSupport

/// `vidi eval detection --json` against the numbers ActivityNet's official eval_detection.py printed for the
/// same files (Fixtures/golden/localization/eval, made by Tools/localization/make_eval_goldens.py).
@Suite struct EvalCLITests {
    @Test func detectionJSONMatchesOfficialCode() throws {
        let folder = Fixtures.path("golden/localization/eval")
        let output = try VidiCLI.run(["eval", "detection", "--gt", "\(folder)/case-0-gt.json", "--pred", "\(folder)/case-0-pred.json",
                                      "--tiou", "0.3:0.1:0.7", "--json"])
        let printed = try JSONSerialization.jsonObject(with: output.stdout) as? [String: Any]
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(folder)/expected.json"))) as? [String: Any]
        let case0 = try #require((expected?["cases"] as? [[String: Any]])?.first)
        let mAP = try #require(printed?["mAP"] as? [Double]), official = try #require(case0["mAP"] as? [Double])
        #expect(mAP.count == 5)
        for (a, b) in zip(mAP, official) { #expect(abs(a - b) < 1e-12) }
        let average = try #require(printed?["average_mAP"] as? Double)
        #expect(abs(average - (case0["average_mAP"] as? Double ?? -1)) < 1e-12)
        #expect((printed?["per_class"] as? [String: Any])?.count == (case0["per_class"] as? [String: Any])?.count)
    }

    @Test func missingFileFailsWithMessage() throws {
        let output = try VidiCLI.run(["eval", "detection", "--gt", "/nonexistent.json", "--pred", "/nonexistent2.json"])
        #expect(output.status == 1)
        #expect(output.stderr.contains("/nonexistent.json"))
    }
}
