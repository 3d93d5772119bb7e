import Foundation
import Testing
import VidiTestSupport
@testable import VidiTraining
@testable import VidiFormats

@Suite struct TarFileReaderTests {
    static func entries(_ path: String) throws -> [TarEntry] {
        let reader = try TarFileReader(path: path)
        var out: [TarEntry] = []
        while let entry = try reader.next() { out.append(entry) }
        return out
    }

    /// Reference: the members the pipeline's writer was given (names `<key>.<name>`, bytes as written).
    @Test func readsShardsWrittenByThePipelineWriter() throws {
        let directory = try Fixtures.temporaryDirectory("tar")
        let shards = try ShardFixtures.write(in: directory, shards: 1, perShard: 3)
        let entries = try Self.entries(shards[0])
        #expect(entries.map(\.name) == ["s0_000.input.npy", "s0_000.cls", "s0_000.json", "s0_001.input.npy", "s0_001.cls",
                                        "s0_001.json", "s0_002.input.npy", "s0_002.cls", "s0_002.json"])
        #expect(String(decoding: entries[2].bytes, as: UTF8.self) == "{\"shard\": 0, \"index\": 0}")
    }

    /// Reference: Python's tarfile (GNU_FORMAT 'L' long names; PAX_FORMAT 'x' records with a UTF-8 path),
    /// as read by webdataset 1.0 into expected.json; the directory members are skipped.
    @Test func readsGNULongNamesAndPaxPathsAsPythonTarfileDoes() throws {
        let expected = try ShardFixtures.expected()["shards"] as? [String: [[String: Any]]] ?? [:]
        for shard in ["gnu-longname.tar", "pax.tar"] {
            let entries = try Self.entries(ShardFixtures.golden(shard))
            let key = try #require(expected[shard]?.first?["__key__"] as? String)
            #expect(entries.map(\.name) == [key + ".input.npy", key + ".cls"], "\(shard)")
            #expect(entries.last?.bytes == Array("3".utf8))
        }
    }

    /// Reference: tarfile raises "unexpected end of data" on truncated.tar (expected.json keeps what came before).
    @Test func truncatedArchiveThrowsAfterItsCompleteMembers() throws {
        let reader = try TarFileReader(path: ShardFixtures.golden("truncated.tar"))
        var names: [String] = []
        let error = #expect(throws: TarFileError.self) {
            while let entry = try reader.next() { names.append(entry.name) }
        }
        guard case .truncated? = error else { Issue.record("expected .truncated, got \(String(describing: error))"); return }
        #expect(names.count == 16 && names.allSatisfy { $0.hasPrefix("s0_000.") || $0.hasPrefix("s0_001.") })  // 8 members each
    }

    /// Reference: tarfile raises "bad checksum" at the second sample's first header of corrupt.tar.
    @Test func corruptHeaderFailsItsChecksum() throws {
        let reader = try TarFileReader(path: ShardFixtures.golden("corrupt.tar"))
        var names: [String] = []
        let error = #expect(throws: TarFileError.self) {
            while let entry = try reader.next() { names.append(entry.name) }
        }
        guard case .corrupt? = error else { Issue.record("expected .corrupt, got \(String(describing: error))"); return }
        #expect(names.allSatisfy { $0.hasPrefix("s0_000.") } && names.count == 8)
    }

    /// Invariant: an archive cut at any byte either ends cleanly or throws a TarFileError, never crashes,
    /// and never returns a member that differs from the intact archive's.
    @Test func archivesCutAnywhereNeverCrash() throws {
        let whole = try Data(contentsOf: URL(fileURLWithPath: ShardFixtures.golden("wds-1.tar")))
        let intact = try Self.entries(ShardFixtures.golden("wds-1.tar"))
        let directory = try Fixtures.temporaryDirectory("tar-cut")
        let path = directory.appendingPathComponent("cut.tar").path
        for cut in stride(from: 0, to: whole.count, by: 509) {
            try whole.prefix(cut).write(to: URL(fileURLWithPath: path))
            let reader = try TarFileReader(path: path)
            var index = 0
            do {
                while let entry = try reader.next() {
                    #expect(entry == intact[index], "cut at \(cut)")
                    index += 1
                }
            } catch {}
        }
    }

    @Test func missingFileIsCannotOpen() {
        #expect(throws: TarFileError.self) { try TarFileReader(path: "/nonexistent/shard.tar") }
    }

    /// Reference: webdataset 1.0 `base_plus_ext` (regex `^((?:.*/|)[^.]+)[.]([^/]*)$`) evaluated in Python.
    @Test func keysSplitAtTheFirstDotOfTheFileName() {
        #expect(WebDatasetNaming.split("a/b/key.frames.npy")! == ("a/b/key", "frames.npy"))
        #expect(WebDatasetNaming.split("key.cls")! == ("key", "cls"))
        #expect(WebDatasetNaming.split("dir.v1/key.json")! == ("dir.v1/key", "json"))
        #expect(WebDatasetNaming.split("noextension") == nil)
        #expect(WebDatasetNaming.split("a/b/.hidden.txt")! == ("a/b/", "hidden.txt"))  // re.match gives ('a/b/', 'hidden.txt')
        #expect(WebDatasetNaming.isMetadata("__meta__"))
        #expect(WebDatasetNaming.isMetadata("__index__/x.json"))
        #expect(!WebDatasetNaming.isMetadata("__key.json"))
    }
}

@Suite struct ShardPatternTests {
    /// Reference: `list(braceexpand.braceexpand(p))` (the expansion webdataset uses), run in the reference venv.
    @Test func rangesKeepZeroPaddingAndListsMultiply() throws {
        #expect(try ShardPattern.expand("s/{00000..00003}.tar") == ["s/00000.tar", "s/00001.tar", "s/00002.tar", "s/00003.tar"])
        #expect(try ShardPattern.expand("{8..11}.tar") == ["8.tar", "9.tar", "10.tar", "11.tar"])
        #expect(try ShardPattern.expand("{train,val}-{0..1}.tar") == ["train-0.tar", "train-1.tar", "val-0.tar", "val-1.tar"])
        #expect(try ShardPattern.expand("a{b,c{d,e}}f") == ["abf", "acdf", "acef"])
        #expect(try ShardPattern.expand("x.tar::y.tar") == ["x.tar", "y.tar"])
        #expect(try ShardPattern.expand("{0..6..3}") == ["0", "3", "6"])
        #expect(try ShardPattern.expand("{8..011}") == ["008", "009", "010", "011"])
        #expect(try ShardPattern.expand("plain.tar") == ["plain.tar"])
    }

    @Test func malformedPatternsAreErrors() {
        #expect(throws: TrainingError.self) { try ShardPattern.expand("s/{0..3.tar") }
        #expect(throws: TrainingError.self) { try ShardPattern.expand("s/0..3}.tar") }
        #expect(throws: TrainingError.self) { try ShardPattern.expand("s/{single}.tar") }
        #expect(throws: TrainingError.self) { try ShardPattern.expand("  ") }
    }
}
