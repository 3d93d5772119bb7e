import Foundation
import Testing
import VidiTestSupport
@testable import VidiPipeline

@Suite struct ManifestTests {
    func write(_ text: String, _ name: String, in dir: URL) throws -> String {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func textManifestSkipsCommentsAndResolvesAgainstItsFolder() throws {
        let dir = try Fixtures.temporaryDirectory()
        let path = try write("# videos\na.mp4\n\n  sub/b.mp4  \n/abs/c.mp4\nhttps://host/d.mp4\n", "list.txt", in: dir)
        let manifest = try Manifest.load(path: path)
        #expect(manifest.entries.map(\.path) == ["a.mp4", "sub/b.mp4", "/abs/c.mp4", "https://host/d.mp4"])
        #expect(manifest.entries.map(\.resolvedPath) == [
            dir.appendingPathComponent("a.mp4").path, dir.appendingPathComponent("sub/b.mp4").path,
            "/abs/c.mp4", "https://host/d.mp4"])
        #expect(manifest.entries.map(\.index) == [0, 1, 2, 3])
    }

    @Test func csvCarriesColumnsAndHandlesQuoting() throws {
        let dir = try Fixtures.temporaryDirectory()
        let path = try write("caption,path,label\r\n\"a, \"\"quoted\"\"\nline\",x.mp4,3\r\nplain,y.mp4,\r\n", "m.csv", in: dir)
        let manifest = try Manifest.load(path: path)
        #expect(manifest.entries.map(\.path) == ["x.mp4", "y.mp4"])
        #expect(manifest.entries[0].columns == ["caption": .string("a, \"quoted\"\nline"), "label": .string("3")])
        #expect(manifest.entries[1].columns == ["caption": .string("plain"), "label": .string("")])
    }

    @Test func csvErrorsNameTheLine() throws {
        let dir = try Fixtures.temporaryDirectory()
        let ragged = try write("path,label\na.mp4,1\nb.mp4\n", "ragged.csv", in: dir)
        #expect(throws: PipelineError.manifest(file: ragged, line: 3, message: "1 fields, header has 2")) {
            try Manifest.load(path: ragged)
        }
        let noPath = try write("file,label\na.mp4,1\n", "nopath.csv", in: dir)
        #expect(throws: PipelineError.manifest(file: noPath, line: 1, message: "no 'path' column in header [\"file\", \"label\"]")) {
            try Manifest.load(path: noPath)
        }
        #expect(try Manifest.load(path: noPath, pathColumn: "file").entries.map(\.path) == ["a.mp4"])
        let open = try write("path\n\"a.mp4\n", "open.csv", in: dir)
        #expect(throws: PipelineError.manifest(file: open, line: 2, message: "unterminated quoted field")) {
            try Manifest.load(path: open)
        }
    }

    @Test func jsonlKeepsJSONTypes() throws {
        let dir = try Fixtures.temporaryDirectory()
        let path = try write("{\"path\": \"a.mp4\", \"fps\": 25, \"tags\": [\"x\"], \"ok\": true}\n\n{\"path\": \"b.mp4\"}\n", "m.jsonl", in: dir)
        let manifest = try Manifest.load(path: path)
        #expect(manifest.entries.map(\.path) == ["a.mp4", "b.mp4"])
        #expect(manifest.entries[0].columns == ["fps": .int(25), "tags": .array([.string("x")]), "ok": .bool(true)])
        let bad = try write("{\"path\": \"a.mp4\"}\n{\"file\": \"b.mp4\"}\n", "bad.jsonl", in: dir)
        #expect(throws: PipelineError.manifest(file: bad, line: 2, message: "no string 'path' field")) {
            try Manifest.load(path: bad)
        }
        let broken = try write("{\"path\": \n", "broken.jsonl", in: dir)
        #expect(throws: PipelineError.manifest(file: broken, line: 1, message: "not valid JSON")) {
            try Manifest.load(path: broken)
        }
    }

    @Test func directoryIsRecursiveSortedAndFilteredByExtension() throws {
        let dir = try Fixtures.temporaryDirectory()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("b/c"), withIntermediateDirectories: true)
        for name in ["z.mp4", "a.MKV", "b/c/x.webm", "b/notes.txt", "b/y.mp4"] {
            try Data([1]).write(to: dir.appendingPathComponent(name))
        }
        let manifest = try Manifest.load(path: dir.path)
        #expect(manifest.entries.map { $0.columns["relative_path"] } == ["a.MKV", "b/c/x.webm", "b/y.mp4", "z.mp4"].map { .string($0) })
        #expect(manifest.entries.map(\.path) == ["a.MKV", "b/c/x.webm", "b/y.mp4", "z.mp4"].map { dir.appendingPathComponent($0).path })
        let onlyMP4 = try Manifest.load(path: dir.path, extensions: ["mp4"])
        #expect(onlyMP4.entries.count == 2)
    }

    @Test func missingManifestIsATypedError() {
        #expect(throws: PipelineError.manifest(file: "/no/such/list.txt", line: 0, message: "no such file or directory")) {
            try Manifest.load(path: "/no/such/list.txt")
        }
    }
}

@Suite struct ShardingTests {
    @Test func entriesGoToContiguousShardsByManifestPosition() {
        let layout = ShardLayout(entryCount: 23, samplesPerShard: 10)
        #expect(layout.shardCount == 3)
        #expect(layout.entries(ofShard: 0) == 0..<10)
        #expect(layout.entries(ofShard: 2) == 20..<23)
        #expect((0..<23).map(layout.shard(ofEntry:)) == (0..<23).map { $0 / 10 })
        #expect(layout.name(ofShard: 2) == "00002")
        #expect(ShardLayout(entryCount: 1_000_001, samplesPerShard: 1).name(ofShard: 7) == "0000007")
        #expect(ShardLayout.key(ofEntry: 42) == "000000042")
        #expect(ShardLayout(entryCount: 0, samplesPerShard: 5).shardCount == 0)
    }

    @Test func selectionsPartitionTheShards() throws {
        let selections = (0..<3).map { ShardSelection(index: $0, count: 3) }
        for shard in 0..<20 {
            #expect(selections.filter { $0.includes(shard: shard) }.count == 1)
        }
        #expect(try ShardSelection.parse("2/5") == ShardSelection(index: 2, count: 5))
        #expect(throws: PipelineError.self) { try ShardSelection.parse("5/5") }
        #expect(throws: PipelineError.self) { try ShardSelection.parse("1-4") }
    }

    @Test func schedulerEnvironments() throws {
        #expect(try ShardSelection.fromEnvironment([:]) == nil)
        #expect(try ShardSelection.fromEnvironment(["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"]) == .init(index: 3, count: 4))
        // `--array=1-4` numbers tasks from 1.
        #expect(try ShardSelection.fromEnvironment(["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1"]) == .init(index: 3, count: 4))
        #expect(try ShardSelection.fromEnvironment(["JOB_COMPLETION_INDEX": "0", "VIDI_SHARD_COUNT": "2"]) == .init(index: 0, count: 2))
        #expect(throws: PipelineError.self) { try ShardSelection.fromEnvironment(["JOB_COMPLETION_INDEX": "0"]) }
        #expect(throws: PipelineError.self) { try ShardSelection.fromEnvironment(["SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "2"]) }
    }
}
