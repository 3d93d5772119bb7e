import Foundation
import Testing
import VidiTensor
import VidiTestSupport

@Suite struct NPYFormatTests {
    @Test func headerIsPaddedTo64BytesAndParsesBack() throws {
        let array = NPYFormat.Array(descr: "|u1", shape: [2, 3, 3], data: Array(0..<18))
        let bytes = NPYFormat.encode(array)
        #expect((bytes.count - 18) % 64 == 0)
        #expect(try NPYFormat.decode(bytes) == array)
    }

    @Test func numpyReadsWhatWeWrite() throws {
        // Reference: numpy.load on the file we wrote.
        let dir = try Fixtures.temporaryDirectory()
        let path = dir.appendingPathComponent("a.npy").path
        let values: [Int32] = [1, -2, 3, 40000, -5, 6]
        let data = values.withUnsafeBytes { Array($0) }
        try NPYFormat.write(.init(descr: "<i4", shape: [3, 2], data: data), to: path)
        let out = try runTool("python3", ["-c", "import numpy as np; a = np.load('\(path)'); print(a.dtype, a.shape, a.tolist())"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.text.trimmingCharacters(in: .whitespacesAndNewlines) == "int32 (3, 2) [[1, -2], [3, 40000], [-5, 6]]")
    }

    @Test func malformedFilesAreErrors() {
        #expect(throws: NPYFormat.Error.self) { try NPYFormat.decode([1, 2, 3]) }
        var bytes = NPYFormat.encode(.init(descr: "<f4", shape: [4], data: Array(repeating: 0, count: 16)))
        #expect(throws: NPYFormat.Error.sizeMismatch(expected: 16, actual: 8)) { try NPYFormat.decode(Array(bytes.dropLast(8))) }
        bytes[8] = 0xFF; bytes[9] = 0xFF  // header length far past the end
        #expect(throws: NPYFormat.Error.self) { try NPYFormat.decode(bytes) }
        let unknown = NPYFormat.encode(.init(descr: "<c8", shape: [1], data: Array(repeating: 0, count: 8)))
        #expect(throws: NPYFormat.Error.unsupportedDescriptor("<c8")) { try NPYFormat.decode(unknown) }
    }
}
