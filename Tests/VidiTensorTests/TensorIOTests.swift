import Foundation
import Testing
@testable import VidiTensor
import VidiTestSupport

/// Tensor <-> safetensors / .npy / .npz. References: the numpy- and safetensors-written fixtures of
/// Tools/goldens/make_serialization_fixtures.py (expected values loaded with VidiTestSupport's `Golden`,
/// an independent .npy reader), and numpy reading the files Vidi writes. Comparisons are exact.
@Suite struct TensorIOTests {
    static func fixture(_ name: String) -> String { Fixtures.path("golden/serialization/" + name) }

    static func expected(_ name: String) throws -> Tensor { try Golden.tensor("serialization/\(name)") }

    @Test func safetensorsTensorsMatchTheirExpectedValues() throws {
        let file = try SafetensorsFile(path: Self.fixture("mixed.safetensors"))
        for name in ["weights.f32", "halves.f16", "brains.bf16", "counts.i32", "ids.i64", "mask.bool", "empty.f32", "scalar.f32"] {
            let tensor = try file.tensor(named: name)
            let expected = try Self.expected("expected-\(name)")
            #expect(tensor.dtype == expected.dtype, "\(name)")
            #expect(tensor.shape == expected.shape, "\(name)")
            expectClose(tensor, expected, rtol: 0, atol: 0, name)
        }
        // Narrow integer types widen to int32: compare against the raw numpy bytes.
        let pixels = try file.tensor(named: "pixels.u8")
        #expect(pixels.dtype == .int32)
        #expect(try pixels.toArray(Int32.self) == [0, 1, 127, 128, 255])
        #expect(try file.tensor(named: "deltas.i8").toArray(Int32.self) == [-128, -1, 0, 1, 127])
        #expect(try file.tensor(named: "ids.i64").toArray(Int64.self) == [0, -1, 9_007_199_254_740_993, Int64.min])
    }

    @Test func safetensorsViewsAreZeroCopyReadOnlyAndOutliveTheFileObject() throws {
        var tensor: Tensor
        do {
            let file = try SafetensorsFile(path: Self.fixture("mixed.safetensors"))
            tensor = try file.tensor(named: "weights.f32")
            #expect(tensor.storage.isReadOnly)
            #expect(try file.tensor(named: "halves.f16").storage.isReadOnly == false)  // converted, owned
        }
        // The file object is gone; the view keeps the mapping alive.
        let expected = try Self.expected("expected-weights.f32")
        expectClose(tensor, expected, rtol: 0, atol: 0)
        // Writing copies first (copy-on-write of read-only storage): the file on disk is unchanged.
        try tensor.withUnsafeMutableBufferPointer { $0[0] = 1234 }
        #expect(tensor.storage.isReadOnly == false)
        #expect(try tensor.toArray(Float.self)[0] == 1234)
        let reread = try SafetensorsFile(path: Self.fixture("mixed.safetensors")).tensor(named: "weights.f32")
        expectClose(reread, expected, rtol: 0, atol: 0)
    }

    @Test func unalignedTensorsAreCopiedNotViewed() throws {
        // A 1-byte BOOL before an F32 puts the floats at an odd offset (legal, though the reference
        // writer never does it): they must load correctly into owned, aligned storage.
        var bytes = SafetensorsFormatTests.file(
            header: #"{"b":{"dtype":"BOOL","shape":[1],"data_offsets":[0,1]},"f":{"dtype":"F32","shape":[2],"data_offsets":[1,9]}}"#,
            dataSize: 9)
        let dataStart = bytes.count - 9
        bytes[dataStart] = 1
        withUnsafeBytes(of: Float(1.5).bitPattern.littleEndian) { bytes.replaceSubrange((dataStart + 1)..<(dataStart + 5), with: $0) }
        withUnsafeBytes(of: Float(-2).bitPattern.littleEndian) { bytes.replaceSubrange((dataStart + 5)..<(dataStart + 9), with: $0) }
        let path = try Fixtures.temporaryDirectory().appendingPathComponent("odd.safetensors").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let file = try SafetensorsFile(path: path)
        let floats = try file.tensor(named: "f")
        #expect(try floats.toArray(Float.self) == [1.5, -2])
        #expect(!floats.storage.isReadOnly)
        #expect(try file.tensor(named: "b").toArray(Bool.self) == [true])
    }

    @Test func safetensorsWriteRoundTripsAndPythonAgrees() throws {
        let directory = try Fixtures.temporaryDirectory()
        let path = directory.appendingPathComponent("t.safetensors").path
        // A transposed (non-contiguous) view must be written in its logical row-major order.
        let matrix = try Tensor((0..<6).map { Float($0) }, shape: [2, 3]).transposed()
        let tensors: [String: Tensor] = [
            "matrix": matrix,
            "ids": try Tensor([5, -7] as [Int64], shape: [2]),
            "mask": try Tensor([true, false], shape: [2]),
            "scalar": Tensor(Float(2.5)),
        ]
        try Safetensors.write(tensors, metadata: ["format": "pt"], to: path)
        let back = try Safetensors.read(path: path)
        #expect(Set(back.keys) == Set(tensors.keys))
        for (name, tensor) in tensors { expectClose(try #require(back[name]), tensor, rtol: 0, atol: 0, name) }

        let script = Fixtures.repositoryRoot.appendingPathComponent("Tools/goldens/read_safetensors.py").path
        let out = try runTool("python3", [script, path])
        #expect(out.status == 0, "\(out.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: out.stdout) as? [String: Any])
        let parsed = try #require(json["tensors"] as? [String: [String: Any]])
        #expect(parsed["matrix"]?["values"] as? [[Double]] == [[0, 3], [1, 4], [2, 5]])
        #expect(parsed["scalar"]?["shape"] as? [Int] == [])
        #expect(parsed["ids"]?["dtype"] as? String == "I64")
    }

    @Test func npyFortranAndBigEndianReadAsCOrder() throws {
        let cOrder = try Tensor.readNPY(path: Self.fixture("c-order-f4.npy"))
        expectClose(cOrder, try Self.expected("c-order-f4"), rtol: 0, atol: 0)
        expectClose(try Tensor.readNPY(path: Self.fixture("fortran-f4.npy")), cOrder, rtol: 0, atol: 0, "fortran")
        expectClose(try Tensor.readNPY(path: Self.fixture("bigendian-f4.npy")), cOrder, rtol: 0, atol: 0, "big-endian")
        let fortran3 = try Tensor.readNPY(path: Self.fixture("fortran-i4-3d.npy"))
        #expect(fortran3.shape == [2, 3, 4])
        #expect(try fortran3.toArray(Int32.self) == Array(0..<24))
        #expect(try Tensor.readNPY(path: Self.fixture("bigendian-i8.npy")).toArray(Int64.self) == [1, -2, 3, 1 << 40])
        expectClose(try Tensor.readNPY(path: Self.fixture("float16.npy")), try Self.expected("expected-halves.f16"), rtol: 0, atol: 0)
        let doubles = try Tensor.readNPY(path: Self.fixture("float64.npy"))
        #expect(try doubles.toArray(Float.self) == [0.1, -2.5, 1e-40, 3e38].map { Float($0 as Double) })
    }

    @Test func npyWriteIsReadByNumpy() throws {
        let directory = try Fixtures.temporaryDirectory()
        let path = directory.appendingPathComponent("t.npy").path
        try Tensor((0..<6).map { Float($0) / 4 }, shape: [2, 3]).transposed().writeNPY(to: path)
        let out = try runTool("python3", ["-c", "import numpy as np; a = np.load('\(path)'); print(a.dtype, a.shape, a.tolist())"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.text == "float32 (3, 2) [[0.0, 0.75], [0.25, 1.0], [0.5, 1.25]]\n")
    }

    @Test func npyUnsupportedInputIsANamedError() throws {
        let complex = NPYFormat.Array(descr: "<c8", shape: [1], data: [UInt8](repeating: 0, count: 8))
        let error = #expect(throws: TensorFileError.self) { try Tensor(npy: complex, name: "z") }
        #expect(error?.kind == .unsupportedDType)
        #expect(error?.key == "z")
        let big = NPYFormat.Array(descr: "<u8", shape: [1], data: [UInt8](repeating: 0xFF, count: 8))
        #expect((#expect(throws: TensorFileError.self) { try Tensor(npy: big) })?.kind == .unsupportedDType)
        let missing = #expect(throws: TensorFileError.self) { try Tensor.readNPY(path: "/nonexistent.npy") }
        #expect(missing?.kind == .io)
    }

    @Test func npzTensorsMatchNumpy() throws {
        let file = try NPZFile(path: Self.fixture("arrays-compressed.npz"))
        let tensors = try file.tensors()
        for name in ["features", "labels", "flags", "repetitive"] {
            expectClose(try #require(tensors[name]), try Self.expected("npz-\(name)"), rtol: 0, atol: 0, name)
        }
        let frames = try #require(tensors["frames"])
        #expect(frames.dtype == .int32 && frames.shape == [2, 3, 4])
        #expect(try frames.toArray(Int32.self) == (try NPYFormat.read(path: Self.fixture("npz-frames.npy"))).data.map { Int32($0) })
        // float64 narrows to float32 (the golden loader does the same conversion independently).
        expectClose(try #require(tensors["scores"]), try Self.expected("npz-scores"), rtol: 0, atol: 0)
    }

    @Test func npzWriteOfTensorsIsReadByNumpy() throws {
        let directory = try Fixtures.temporaryDirectory()
        let path = directory.appendingPathComponent("t.npz").path
        try NPZWriter.write(tensors: [("a", try Tensor([1, 2, 3] as [Int32], shape: [3])),
                                      ("b", try Tensor([0.5, -1], shape: [1, 2]))], to: path, compressed: true)
        let out = try runTool("python3", ["-c", "import numpy as np; z = np.load('\(path)'); print([(k, str(z[k].dtype), z[k].tolist()) for k in z.files])"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.text == "[('a', 'int32', [1, 2, 3]), ('b', 'float32', [[0.5, -1.0]])]\n")
    }
}
