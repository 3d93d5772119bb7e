import Foundation
import Testing
import VidiTestSupport

/// `vidi localize --demo`: the bundled RCL model (Tools/localization/make_bundled_model.sh) on the bundled
/// 40 held-out synthetic videos. The release build printed 83.47 % average mAP (tIoU 0.3:0.1:0.7); an
/// untrained model scores under 5 %, so > 70 % shows the checkpoint, features, post-processing and
/// evaluation all work together. The written predictions are scored again by `vidi eval detection`.
@Suite struct LocalizeCLITests {
    @Test func demoLocalizesBundledSet() throws {
        let dir = try Fixtures.temporaryDirectory("vidi-localize-demo")
        let predictions = dir.appendingPathComponent("pred.json").path
        let output = try VidiCLI.run(["localize", "--demo", "--out", predictions])
        #expect(output.status == 0, "\(output.stderr)")
        let line = try #require(output.text.split(separator: "\n").first { $0.hasPrefix("average mAP") })
        let value = try #require(Double(line.split(separator: " ")[2].dropLast()))
        #expect(value > 70, "\(line)")
        let eval = try VidiCLI.run(["eval", "detection", "--gt", Fixtures.path("localization/synthetic/annotations.json"),
                                    "--pred", predictions, "--tiou", "0.3:0.1:0.7", "--json"])
        let object = try JSONSerialization.jsonObject(with: eval.stdout) as? [String: Any]
        let average = try #require(object?["average_mAP"] as? Double)
        #expect(abs(100 * average - value) < 0.01)
    }
}
