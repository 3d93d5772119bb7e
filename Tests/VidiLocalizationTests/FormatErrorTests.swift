import Foundation
import Testing
import VidiLocalization
import VidiTestSupport

/// Bad files give `LocalizationError` with the place that is wrong, never a crash.
@Suite struct FormatErrorTests {
    static func write(_ text: String) throws -> String {
        let dir = try Fixtures.temporaryDirectory("vidi-loc")
        let path = dir.appendingPathComponent("f.json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func missingFile() {
        #expect(throws: LocalizationError.self) { try GroundTruthFile.read(path: "/nonexistent/gt.json") }
    }

    @Test(arguments: ["", "{", "{\"database\": [1, 2", "[1 2]", "{\"a\": tru}", "\"abc"])
    func malformedJSON(text: String) throws {
        let path = try Self.write(text)
        #expect(throws: LocalizationError.self) { try GroundTruthFile.read(path: path) }
    }

    @Test func wrongLayoutNamesThePlace() throws {
        let path = try Self.write(#"{"database": {"v1": {"subset": "validation", "annotations": [{"segment": [1], "label": "x"}]}}}"#)
        do { _ = try GroundTruthFile.read(path: path); Issue.record("no error") } catch {
            #expect("\(error)".contains("database.v1.annotations[0]"))
        }
        let pred = try Self.write(#"{"results": {"v1": [{"segment": [1, 2], "label": "x"}]}}"#)
        do { _ = try PredictionFile.read(path: pred); Issue.record("no error") } catch {
            #expect("\(error)".contains("score"))
        }
    }

    @Test func orderedJSONKeepsKeyOrderAndEscapes() throws {
        let json = try OrderedJSON.parse(Array(#"{"z": 1, "a": [true, null, -2.5e1], "s": "\u00e9\n"}"#.utf8))
        #expect(json.members?.map(\.key) == ["z", "a", "s"])
        #expect(json["a"] == .array([.bool(true), .null, .number(-25)]))
        #expect(json["s"]?.string == "é\n")
        #expect(try OrderedJSON.parse(Array(OrderedJSON.compactText(json).utf8)) == json)
    }
}

/// Arguments out of range are errors, not traps.
@Suite struct ArgumentErrorTests {
    @Test func outOfRangeArguments() throws {
        #expect(throws: LocalizationError.self) { try parseThresholds("0.1:1e-300:0.9") }
        let gt = GroundTruthFile(videos: [.init(id: "a", subset: "validation", duration: 10, annotations: [LabeledSegment(start: 0, end: 1, label: "x")])])
        let pred = PredictionFile(videos: [("a", [ScoredSegment(start: 0, end: 1, label: "x", score: 1)])])
        #expect(throws: LocalizationError.self) { try ProposalEvaluation(groundTruth: gt, proposals: pred, maxAverageProposals: -1) }
        #expect(throws: LocalizationError.self) { try ProposalEvaluation(groundTruth: gt, proposals: PredictionFile(videos: []), maxAverageProposals: 10) }
    }
}
