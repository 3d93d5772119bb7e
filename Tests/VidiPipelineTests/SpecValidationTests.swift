import Testing
@testable import VidiPipeline

/// Spec errors must name the line, column and key path: expected positions are counted by hand from the
/// YAML literals below (1-based, as editors show them).
@Suite struct SpecValidationTests {
    func parseError(_ yaml: String, catalog: StageCatalog = .testing) -> PipelineError? {
        do {
            _ = try PipelineSpec.parse(yaml: yaml, file: "t.yaml", catalog: catalog)
            return nil
        } catch let error as PipelineError {
            return error
        } catch {
            return .invalidOption("unexpected error type: \(error)")
        }
    }

    @Test func validSpecParsesEverySection() throws {
        let spec = try PipelineSpec.parse(yaml: """
            name: demo
            input:
              manifest: videos.csv
              path_column: file
              extensions: [.MP4, webm]
            stages:
              - file_head: {name: first}
              - file_head
            output:
              path: out/demo
              format: directory
              samples_per_shard: 7
            run:
              workers: 3
              video_timeout: 2.5
            """, file: "t.yaml", catalog: .testing)
        #expect(spec.name == "demo")
        #expect(spec.input == .init(manifest: "videos.csv", pathColumn: "file", extensions: ["mp4", "webm"]))
        #expect(spec.stages.count == 2)
        #expect(spec.output == .init(path: "out/demo", format: .directory, samplesPerShard: 7))
        #expect(spec.run == .init(workers: 3, videoTimeout: 2.5))
    }

    @Test func unknownTopLevelKeyNamesLineAndHint() {
        let error = parseError("""
            stages:
              - file_head
            outptu:
              path: x
            """)
        #expect(error == .spec(file: "t.yaml", line: 3, column: 1, key: "outptu",
                               message: "unknown key 'outptu' (did you mean 'output'?); allowed: input, name, output, run, stages"))
    }

    @Test func unknownStageParameterIsRejectedAtItsLine() {
        let error = parseError("""
            stages:
              - file_head:
                  name: a
                  colour: red
            """)
        guard case .spec(_, let line, let column, let key, let message)? = error else {
            Issue.record("expected a spec error, got \(String(describing: error))"); return
        }
        #expect(line == 4 && column == 7)
        #expect(key == "stages[0].file_head.colour")
        #expect(message.hasPrefix("unknown key 'colour'"))
    }

    @Test func wrongTypesAreRejected() {
        guard case .spec(_, 5, 22, "output.samples_per_shard", let message)? = parseError("""
            stages:
              - file_head
            output:
              format: webdataset
              samples_per_shard: ten
            """) else { Issue.record("wrong position or key"); return }
        #expect(message == "expected an integer, found 'ten'")

        guard case .spec(_, 3, 11, "output.format", _)? = parseError("""
            stages: [file_head]
            output:
              format: 5
            """) else { Issue.record("a number is not a format string"); return }

        guard case .spec(_, 3, 11, "output.format", let choice)? = parseError("""
            stages: [file_head]
            output:
              format: parquet
            """) else { Issue.record("unknown format not rejected"); return }
        #expect(choice == "'parquet' is not one of webdataset, directory")

        guard case .spec(_, 2, 16, "run.workers", let positive)? = parseError("""
            stages: [file_head]
            run: {workers: 0}
            """) else { Issue.record("zero workers not rejected"); return }
        #expect(positive == "must be positive, found 0")

        guard case .spec(_, 1, 9, "stages", _)? = parseError("stages: file_head") else {
            Issue.record("stages must be a list"); return
        }
    }

    @Test func unknownStageSuggestsTheClosest() {
        guard case .spec(_, 3, 5, "stages[1].file_hed", let message)? = parseError("""
            stages:
              - file_head
              - file_hed: {}
            """) else { Issue.record("unknown stage not located"); return }
        #expect(message.hasPrefix("unknown stage 'file_hed' (did you mean 'file_head'?)"))
    }

    @Test func impossibleCombinationsAreRejected() {
        // Two stages writing the same file.
        guard case .spec(_, 3, 5, "stages[1]", let duplicate)? = parseError("""
            stages:
              - file_head
              - file_head
            """) else { Issue.record("duplicate output not rejected"); return }
        #expect(duplicate.contains("'head.npy'"))

        // A resize/crop after the last frame-decoding stage changes nothing.
        guard case .spec(_, 3, 5, "stages[1]", let geometry)? = parseError("""
            stages:
              - test_frames
              - test_geometry
            """) else { Issue.record("useless geometry not rejected"); return }
        #expect(geometry.contains("no frame-decoding stage follows"))
        #expect(parseError("stages: [test_geometry, test_frames]") == nil)

        guard case .spec(_, 1, 9, "stages", let empty)? = parseError("stages: []") else {
            Issue.record("empty stage list not rejected"); return
        }
        #expect(empty == "a pipeline needs at least one stage")
        guard case .spec(_, 1, 1, "", let missing)? = parseError("name: x") else {
            Issue.record("missing stages not rejected"); return
        }
        #expect(missing == "missing required key 'stages'")
    }

    @Test func duplicateKeysAndBadYAML() {
        // libyaml itself accepts duplicate keys; the spec reader must not silently keep one.
        let duplicate = parseError("""
            stages: [file_head]
            run: {workers: 1}
            run: {workers: 2}
            """)
        switch duplicate {
        case .spec(_, 3, 1, "run", _)?, .yaml?: break
        default: Issue.record("duplicate key not rejected: \(String(describing: duplicate))")
        }
        guard case .yaml(file: "t.yaml", _)? = parseError("stages: [file_head\n") else {
            Issue.record("invalid YAML not reported as such"); return
        }
    }

    @Test func aMissingSpecFileIsReportedAsMissingNotAsInvalidYAML() throws {
        let path = "/nonexistent-\(UInt64.random(in: 0...UInt64.max))/spec.yaml"
        do {
            _ = try PipelineSpec.load(path: path)
            Issue.record("loading a missing spec file succeeded")
        } catch let error as PipelineError {
            #expect(error == .missingFile(path: path, what: "spec file"))
            #expect(error.description == "\(path): no such spec file")
        }
    }

    @Test func catalogsComposeAndRejectADuplicateKey() throws {
        let extra = StageCatalog(["file_head": { _ in FileHeadStage() }, "other": { _ in FileHeadStage() }])
        #expect(throws: StageCatalogError.duplicateKey("file_head")) { try StageCatalog.testing.merging(extra) }
        #expect(throws: StageCatalogError.duplicateKey("probe")) { try StageCatalog.standard.adding("probe") { _ in FileHeadStage() } }
        let composed = try StageCatalog.standard.merging(StageCatalog(["other": { _ in FileHeadStage() }]))
        #expect(composed.names.contains("other") && composed.names.contains("frames"))
    }

    @Test func aStageReadingFramesNeedsAnEarlierProducer() throws {
        let catalog = try StageCatalog.testing.adding("reads_frames") { p in try p.read { _ in FrameReaderStage() } }
        let error = parseError("stages:\n  - reads_frames\n  - frames: {sampler: {uniform: 2}}\n", catalog: catalog)?.description ?? ""
        #expect(error.contains("t.yaml:2:5"), "\(error)")
        #expect(error.contains("reads frames 'frames', which no stage before it produces"), "\(error)")
        // Produced first: accepted.
        _ = try PipelineSpec.parse(yaml: "stages:\n  - frames: {sampler: {uniform: 2}}\n  - reads_frames\n", catalog: catalog)
    }
}

/// Reads the `frames` pass (for the producer check).
struct FrameReaderStage: PipelineStage {
    let name = "reads_frames"
    var outputs: [String] { [] }
    var consumes: [ProductKey] { [.frames("frames")] }
    func process(_ video: VideoContext) throws {}
}
