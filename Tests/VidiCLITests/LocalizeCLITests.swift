import Foundation
import VidiLocalization
import Testing
import VidiTestSupport

/// `vidi localize --demo`: the bundled RCL model (Tools/localization/make_bundled_model.sh; boundary and
/// interior readout, seed 1 of BENCHMARKS.md's comparison) on the bundled 40 held-out synthetic videos. The
/// release build printed 83.26 % average mAP (tIoU 0.3:0.1:0.7; the models it replaced, 83.49 % without
/// interior readout, 83.47 % without boundary readout either); an untrained model scores under 5 %, so > 70 % shows the checkpoint, features,
/// post-processing and evaluation all work together. The written predictions are scored again by
/// `vidi eval detection`.
@Suite struct LocalizeCLITests {
    @Test func demoLocalizesBundledSet() throws {
        let dir = try Fixtures.temporaryDirectory("vidi-localize-demo")
        let predictions = dir.appendingPathComponent("pred.json").path
        let output = try VidiCLI.run(["localize", "--demo", "--out", predictions])
        #expect(output.status == 0, "\(output.stderr)")
        let line = try #require(output.text.split(separator: "\n").first { $0.hasPrefix("average mAP") })
        let value = try #require(Double(line.split(separator: " ")[2].dropLast()))
        #expect(value > 70, "\(line)")
        let eval = try VidiCLI.run(["eval", "detection", "--gt", BundledLocalization.demoAnnotations!,
                                    "--pred", predictions, "--tiou", "0.3:0.1:0.7", "--json"])
        let object = try JSONSerialization.jsonObject(with: eval.stdout) as? [String: Any]
        let average = try #require(object?["average_mAP"] as? Double)
        #expect(abs(100 * average - value) < 0.01)
    }

    /// `--sliding-window` with `--features --gt` (it used to be ignored there): the predictions must be those
    /// of the same windows run on the feature files as arguments (a path that always honoured the flag; the
    /// ground truth's durations equal the grids' here, so clipping agrees), and differ from the whole-video
    /// run. Three bundled videos of 129-372 snippets, windows of 64; a window under 8 is a clear error.
    @Test func slidingWindowWithGroundTruth() throws {
        let dir = try Fixtures.temporaryDirectory("vidi-localize-window")
        let folder = BundledLocalization.demoFeatures!
        let all = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: BundledLocalization.demoAnnotations!))) as? [String: Any]
        let database = try #require(all?["database"] as? [String: Any])
        let ids = Array(database.keys.sorted().prefix(3))
        let gt = dir.appendingPathComponent("gt.json").path
        try JSONSerialization.data(withJSONObject: ["database": database.filter { ids.contains($0.key) }]).write(to: URL(fileURLWithPath: gt))
        let model = BundledLocalization.modelPath!
        func results(_ arguments: [String]) throws -> NSDictionary {
            let out = dir.appendingPathComponent("\(UUID().uuidString).json").path
            let run = try VidiCLI.run(["localize", "--model", model, "--out", out] + arguments)
            #expect(run.status == 0, "\(run.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any]
            return try #require(object?["results"] as? NSDictionary)
        }
        let windowed = try results(["--features", folder, "--gt", gt, "--sliding-window", "64"])
        let files = try results(ids.map { "\(folder)/\($0).npy" } + ["--sliding-window", "64"])
        let whole = try results(["--features", folder, "--gt", gt])
        #expect(windowed.count == 3)
        #expect(windowed == files)
        #expect(windowed != whole)
        let tiny = try VidiCLI.run(["localize", "--model", model, "--features", folder, "--gt", gt, "--sliding-window", "4"])
        #expect(tiny.status != 0 && tiny.stderr.contains("sliding window of 4 snippets"), "\(tiny.stderr)")
    }
}
