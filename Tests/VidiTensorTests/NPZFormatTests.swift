import Foundation
import Testing
@testable import VidiTensor
import VidiTestSupport

/// .npz tests. References: archives written by numpy 2.4 `savez` and `savez_compressed` next to each
/// array saved alone with `numpy.save` (Tools/goldens/make_serialization_fixtures.py); archives Vidi
/// writes are opened with `numpy.load` and compared with those same .npy files.
@Suite struct NPZFormatTests {
    static let names = ["frames", "features", "labels", "flags", "scores", "repetitive"]

    static func fixture(_ name: String) -> String { Fixtures.path("golden/serialization/" + name) }

    static func expectedArrays() throws -> [(name: String, array: NPYFormat.Array)] {
        try names.map { ($0, try NPYFormat.read(path: fixture("npz-\($0).npy"))) }
    }

    @Test(arguments: ["arrays.npz", "arrays-compressed.npz"])
    func readsNumpyArchives(_ fixture: String) throws {
        let file = try NPZFile(path: Self.fixture(fixture))
        #expect(file.names == Self.names)
        for (name, expected) in try Self.expectedArrays() {
            #expect(try file.array(named: name) == expected, "\(name)")
        }
        let missing = #expect(throws: TensorFileError.self) { try file.array(named: "nope") }
        #expect(missing?.kind == .missingEntry)
    }

    @Test func readsZip64Directories() throws {
        // Hand-built by the fixture script with zip64 extra fields, record and locator; numpy reads it.
        let file = try NPZFile(path: Self.fixture("zip64.npz"))
        #expect(file.names == ["features", "labels"])
        for name in file.names {
            #expect(try file.array(named: name) == NPYFormat.read(path: Self.fixture("npz-\(name).npy")), "\(name)")
        }
    }

    @Test(arguments: [false, true])
    func numpyReadsWhatWeWrite(compressed: Bool) throws {
        let directory = try Fixtures.temporaryDirectory()
        let path = directory.appendingPathComponent("out.npz").path
        try NPZWriter.write(try Self.expectedArrays(), to: path, compressed: compressed)
        let fixtures = Fixtures.path("golden/serialization")
        let script = """
            import numpy as np, zipfile
            z = np.load('\(path)')
            print(','.join(z.files))
            for k in z.files:
                e = np.load('\(fixtures)/npz-' + k + '.npy')
                assert z[k].dtype == e.dtype and np.array_equal(z[k], e), k
            print(sorted({i.compress_type for i in zipfile.ZipFile('\(path)').infolist()}))
            """
        let out = try runTool("python3", ["-c", script])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.text == Self.names.joined(separator: ",") + "\n" + (compressed ? "[8]" : "[0]") + "\n")
        // Deflate must actually shrink the repetitive array, and our reader must read our archive.
        let file = try NPZFile(path: path)
        #expect(try file.arrays().map(\.array) == (try Self.expectedArrays()).map(\.array))
        if compressed {
            let stored = try NPZWriter.encode(try Self.expectedArrays(), compressed: false)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count < stored.count / 2)
        }
    }

    @Test func writesAreDeterministicAndRejectBadInput() throws {
        let arrays = try Self.expectedArrays()
        #expect(try NPZWriter.encode(arrays, compressed: true) == (try NPZWriter.encode(arrays, compressed: true)))
        let duplicate = #expect(throws: TensorFileError.self) { try NPZWriter.encode([arrays[0], arrays[0]]) }
        #expect(duplicate?.kind == .duplicateKey)
        let short = NPYFormat.Array(descr: "<f4", shape: [3], data: [0, 0, 0, 0])
        let mismatch = #expect(throws: TensorFileError.self) { try NPZWriter.encode([("x", short)]) }
        #expect(mismatch?.kind == .sizeMismatch)
        #expect(mismatch?.key == "x")
    }

    static func errorOpening(_ bytes: [UInt8]) throws -> TensorFileError? {
        let path = try Fixtures.temporaryDirectory().appendingPathComponent("bad.npz").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        do {
            _ = try NPZFile(path: path).arrays()
            return nil
        } catch {
            return error
        }
    }

    /// Offset of `name`'s central directory header in a Vidi-written (non-zip64, no comment) archive.
    static func centralHeader(of name: String, in bytes: [UInt8]) -> Int? {
        let signature: [UInt8] = [0x50, 0x4B, 0x01, 0x02]
        return (0..<(bytes.count - 46)).first { i in
            Array(bytes[i..<(i + 4)]) == signature && Array(bytes[(i + 46)..<min(bytes.count, i + 46 + name.utf8.count)]) == Array(name.utf8)
        }
    }

    @Test func corruptPayloadIsAChecksumErrorNamingTheArray() throws {
        let labels = try NPYFormat.read(path: Self.fixture("npz-labels.npy"))
        var bytes = try NPZWriter.encode([("labels", labels)])
        bytes[30 + "labels.npy".utf8.count + 130] ^= 0x01  // inside the stored .npy payload
        let error = try Self.errorOpening(bytes)
        #expect(error?.kind == .checksumMismatch)
        #expect(error?.key == "labels")
    }

    @Test func impossibleSizesAndMethodsAreErrors() throws {
        let arrays = try Self.expectedArrays()
        // A deflated member that claims to inflate to 4 GB (a zip bomb's signature) is refused before allocating.
        var bomb = try NPZWriter.encode(arrays, compressed: true)
        let header = try #require(Self.centralHeader(of: "repetitive.npy", in: bomb))
        bomb.replaceSubrange((header + 24)..<(header + 28), with: [0xF0, 0xFF, 0xFF, 0xFF])
        #expect(try Self.errorOpening(bomb)?.kind == .badArchive)

        var method = try NPZWriter.encode(arrays)
        let entry = try #require(Self.centralHeader(of: "flags.npy", in: method))
        method[entry + 10] = 12  // bzip2
        let unsupported = try Self.errorOpening(method)
        #expect(unsupported?.kind == .unsupportedCompression)
        #expect(unsupported?.key == "flags.npy")

        var wrongSize = try NPZWriter.encode(arrays, compressed: true)
        let flags = try #require(Self.centralHeader(of: "flags.npy", in: wrongSize))
        wrongSize[flags + 24] &+= 1  // declared uncompressed size one more than the real one
        #expect(try Self.errorOpening(wrongSize)?.kind == .badArchive)

        #expect(try Self.errorOpening(Array("not a zip file at all, just text".utf8))?.kind == .badArchive)
    }

    @Test func duplicateMemberNamesAreErrors() throws {
        let labels = try NPYFormat.read(path: Self.fixture("npz-labels.npy"))
        var bytes = try NPZWriter.encode([("labels", labels), ("labelz", labels)])
        // Rename the second member to the first's name in both its local and central headers.
        for i in 0..<(bytes.count - 10) where Array(bytes[i..<(i + 10)]) == Array("labelz.npy".utf8) {
            bytes[i + 5] = UInt8(ascii: "s")
        }
        let error = try Self.errorOpening(bytes)
        #expect(error?.kind == .duplicateKey)
        #expect(error?.key == "labels")
    }
}
