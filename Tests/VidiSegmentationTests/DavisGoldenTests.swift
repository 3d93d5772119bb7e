import Foundation
import Testing
import VidiSegmentation
import VidiTestSupport

/// Against the official DAVIS 2017 evaluation (davis2017-evaluation ac7c43f, `DAVISEvaluation`,
/// semi-supervised) run by `Tools/goldens/make_davis_goldens.py` on the seeded masks in `Fixtures/davis`:
/// two objects with empty predictions / empty truth, void 255 on a 2-bit palette PNG, a missing object
/// with grayscale results, full 480p frames.
@Suite struct DavisGoldenTests {
    static func official() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("davis/official.json")))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func value(_ any: Any?) -> Double {
        (any as? NSNumber)?.doubleValue ?? .nan
    }

    static func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-12) -> Bool {
        (a.isNaN && b.isNaN) || abs(a - b) <= tolerance
    }

    @Test func perObjectAndGlobalMeasuresMatchTheOfficialEvaluation() throws {
        let official = try Self.official()
        let dataset = try DavisDataset(root: Fixtures.path("davis/gt"), set: "val")
        let report = try DavisEvaluation(dataset: dataset).evaluate(resultsPath: Fixtures.path("davis/results"))
        let objects = try #require(official["objects"] as? [[String: Any]])
        #expect(report.objects.map(\.name) == objects.map { $0["name"] as? String ?? "" })
        for (mine, theirs) in zip(report.objects, objects) {
            let j = (theirs["J"] as? [Any] ?? []).map(Self.value), f = (theirs["F"] as? [Any] ?? []).map(Self.value)
            #expect(mine.framesJ.count == j.count)
            for (a, b) in zip(mine.framesJ, j) { #expect(Self.close(a, b), "\(mine.name) J \(a) vs \(b)") }
            for (a, b) in zip(mine.framesF, f) { #expect(Self.close(a, b), "\(mine.name) F \(a) vs \(b)") }
            let pairs: [(Double, String)] = [(mine.j.mean, "J-Mean"), (mine.j.recall, "J-Recall"), (mine.j.decay, "J-Decay"),
                                             (mine.f.mean, "F-Mean"), (mine.f.recall, "F-Recall"), (mine.f.decay, "F-Decay")]
            for (a, key) in pairs { #expect(Self.close(a, Self.value(theirs[key])), "\(mine.name) \(key)") }
        }
        let global = try #require(official["global"] as? [String: Any])
        #expect(report.global.map(\.name) == ["J&F-Mean", "J-Mean", "J-Recall", "J-Decay", "F-Mean", "F-Recall", "F-Decay"])
        for (name, value) in report.global {
            #expect(Self.close(value, Self.value(global[name])), "\(name): \(value) vs \(String(describing: global[name]))")
        }
    }

    @Test func statisticsMatchDbStatisticsIncludingTheUInt8BinWrap() throws {
        let series = try #require(try Self.official()["db_statistics"] as? [[String: Any]])
        #expect(series.count == 13)
        for entry in series {
            let values = (entry["values"] as? [Any] ?? []).map(Self.value)
            let stats = DavisStatistics(values)
            #expect(Self.close(stats.mean, Self.value(entry["mean"])), "N=\(values.count) mean")
            #expect(Self.close(stats.recall, Self.value(entry["recall"])), "N=\(values.count) recall")
            #expect(Self.close(stats.decay, Self.value(entry["decay"])), "N=\(values.count) decay")
        }
    }
}
