import Foundation
import Testing
@testable import VidiTensor
import VidiTestSupport

/// Byte-level safetensors tests. References: files written by huggingface `safetensors` (0.8, via torch)
/// and numpy `.npy` files of the expected values, both made by Tools/goldens/make_serialization_fixtures.py;
/// Swift-written files are read back by Tools/goldens/read_safetensors.py (json + numpy only).
@Suite struct SafetensorsFormatTests {
    static let directory = "golden/serialization/"

    static func fixture(_ name: String) -> String { Fixtures.path(directory + name) }

    @Test func readsReferenceFileExactly() throws {
        let file = try SafetensorsFile(path: Self.fixture("mixed.safetensors"))
        #expect(Set(file.names) == ["weights.f32", "halves.f16", "brains.bf16", "counts.i32", "ids.i64", "mask.bool",
                                    "pixels.u8", "deltas.i8", "empty.f32", "scalar.f32"])
        #expect(file.metadata == ["format": "pt", "note": "quote \" and ünïcode"])
        let dtypes: [String: SafetensorsDType] = [
            "weights.f32": .float32, "halves.f16": .float16, "brains.bf16": .bfloat16, "counts.i32": .int32,
            "ids.i64": .int64, "mask.bool": .bool, "pixels.u8": .uint8, "deltas.i8": .int8, "empty.f32": .float32,
            "scalar.f32": .float32,
        ]
        for name in file.names {
            let entry = try file.entry(named: name)
            let expected = try NPYFormat.read(path: Self.fixture("expected-\(name).npy"))
            #expect(entry.dtype == dtypes[name], "\(name)")
            #expect(entry.shape == expected.shape, "\(name)")
            if [.float32, .float16, .bfloat16].contains(entry.dtype) {
                // Exact: compare bit patterns (covers -0, subnormals, infinities and NaN payloads).
                #expect(expected.descr == "<f4")
                let values = try file.floats(name)
                let expectedBits = expected.data.withUnsafeBytes { Array($0.bindMemory(to: UInt32.self)) }
                #expect(values.map(\.bitPattern) == expectedBits, "\(name)")
            } else {
                let bytes = try file.withBytes(of: name) { Array($0) }
                #expect(bytes == expected.data, "\(name)")
            }
        }
    }

    @Test func missingTensorAndNonFloatAreNamedErrors() throws {
        let file = try SafetensorsFile(path: Self.fixture("mixed.safetensors"))
        let missing = #expect(throws: TensorFileError.self) { try file.entry(named: "nope") }
        #expect(missing?.kind == .missingEntry)
        #expect(missing?.key == "nope")
        #expect(missing?.path == Self.fixture("mixed.safetensors"))
        let notFloat = #expect(throws: TensorFileError.self) { try file.floats("counts.i32") }
        #expect(notFloat?.kind == .unsupportedDType)
    }

    /// Tensors written by `safetensors.torch.save_file` from the same formulas; Swift's bytes must be identical.
    static func writerReferenceTensors() -> ([SafetensorsTensorInfo], [[UInt8]]) {
        func bytes<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }
        return ([
            .init(name: "b.float", dtype: .float32, shape: [2, 3]),
            .init(name: "a.int", dtype: .int32, shape: [4]),
            .init(name: "c.long", dtype: .int64, shape: [3]),
            .init(name: "d.mask", dtype: .bool, shape: [3]),
            .init(name: "e.unicode-ü", dtype: .float32, shape: [1]),
        ], [
            bytes((0..<6).map { Float($0) * 0.5 - 1 }),
            bytes((0..<4).map { Int32($0) - 2 }),
            bytes((0..<3).map { Int64($0) * 1_000_000_007 }),
            [1, 0, 1],
            bytes([Float(1.5)]),
        ])
    }

    @Test func writerMatchesReferenceImplementationByteForByte() throws {
        let (infos, payloads) = Self.writerReferenceTensors()
        let ours = try SafetensorsWriter.encode(infos, payloads: payloads, metadata: ["producer": "vidi-test"])
        let reference = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.fixture("writer-reference.safetensors"))))
        #expect(ours == reference)
        #expect(try SafetensorsWriter.encode([], payloads: []) == [8, 0, 0, 0, 0, 0, 0, 0] + Array("{}      ".utf8))
        // Several metadata keys: the reference's order is a HashMap's; ours is sorted so output is reproducible.
        let header = try SafetensorsWriter.layout([], metadata: ["b": "1", "a": "2"]).header
        #expect(String(decoding: header.dropFirst(8), as: UTF8.self) == #"{"__metadata__":{"a":"2","b":"1"}}"# + "      ")
    }

    @Test func pythonReadsWhatWeWrite() throws {
        let directory = try Fixtures.temporaryDirectory()
        let path = directory.appendingPathComponent("out.safetensors").path
        let (infos, payloads) = Self.writerReferenceTensors()
        try SafetensorsWriter.write(infos, payloads: payloads, metadata: ["k": "v \"q\"\n"], to: path)
        let script = Fixtures.repositoryRoot.appendingPathComponent("Tools/goldens/read_safetensors.py").path
        let out = try runTool("python3", [script, path])
        #expect(out.status == 0, "\(out.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: out.stdout) as? [String: Any])
        #expect(json["metadata"] as? [String: String] == ["k": "v \"q\"\n"])
        #expect(json["order"] as? [String] == ["c.long", "b.float", "e.unicode-ü", "a.int", "d.mask"])
        let tensors = try #require(json["tensors"] as? [String: [String: Any]])
        #expect(tensors["b.float"]?["values"] as? [[Double]] == [[-1, -0.5, 0], [0.5, 1, 1.5]])
        #expect(tensors["a.int"]?["values"] as? [Int] == [-2, -1, 0, 1])
        #expect(tensors["c.long"]?["values"] as? [Int] == [0, 1_000_000_007, 2_000_000_014])
        #expect(tensors["d.mask"]?["values"] as? [Bool] == [true, false, true])
        #expect(tensors["e.unicode-ü"]?["shape"] as? [Int] == [1])
        // And we read our own file back.
        let file = try SafetensorsFile(path: path)
        #expect(try file.floats("b.float") == [-1, -0.5, 0, 0.5, 1, 1.5])
    }

    @Test func writerRejectsBadInput() {
        let info = SafetensorsTensorInfo(name: "x", dtype: .float32, shape: [2])
        let short = #expect(throws: TensorFileError.self) { try SafetensorsWriter.encode([info], payloads: [[0, 0, 0, 0]]) }
        #expect(short?.kind == .sizeMismatch)
        #expect(short?.key == "x")
        let duplicate = #expect(throws: TensorFileError.self) {
            try SafetensorsWriter.encode([info, info], payloads: [[UInt8](repeating: 0, count: 8), [UInt8](repeating: 0, count: 8)])
        }
        #expect(duplicate?.kind == .duplicateKey)
        let reserved = #expect(throws: TensorFileError.self) {
            try SafetensorsWriter.encode([.init(name: "__metadata__", dtype: .bool, shape: [])], payloads: [[1]])
        }
        #expect(reserved?.kind == .invalidEntry)
    }

    /// A file with `header` as its JSON and `dataSize` zero bytes of data.
    static func file(header: String, dataSize: Int) -> [UInt8] {
        let json = Array(header.utf8)
        return withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init) + json + [UInt8](repeating: 0, count: dataSize)
    }

    static func parseError(_ bytes: [UInt8]) -> TensorFileError? {
        do {
            _ = try bytes.withUnsafeBytes { try SafetensorsHeader.parse($0) }
            return nil
        } catch {
            return error as? TensorFileError
        }
    }

    @Test(arguments: [
        // (header JSON, data bytes, expected kind, expected key)
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, 8, nil, nil),
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#, 8, TensorFileError.Kind.invalidHeader, nil),
        (#"["a"]"#, 0, .invalidHeader, nil),
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#, 16, .duplicateKey, "a"),
        (#"{"a":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}}"#, 8, .unknownDType, "a"),
        (#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, 8, .sizeMismatch, "a"),
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, 12, .badOffsets, nil),  // trailing bytes
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, 4, .badOffsets, "a"),  // past the end
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, 12, .badOffsets, "b"),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#, 12, .badOffsets, "b"),
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, 8, .badOffsets, "a"),
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,9]}}"#, 8, .invalidEntry, "a"),
        (#"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, 8, .invalidEntry, "a"),
        (#"{"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}"#, 8, .invalidEntry, "a"),
        (#"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#, 8, .invalidEntry, "a"),
        (#"{"a":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,8]}}"#, 8, .invalidEntry, "a"),
        (#"{"a":{"shape":[2],"data_offsets":[0,8]}}"#, 8, .invalidEntry, "a"),
        (#"{"a":{"dtype":4,"shape":[2],"data_offsets":[0,8]}}"#, 8, .invalidEntry, "a"),
        (#"{"a":[1]}"#, 0, .invalidEntry, "a"),
        (#"{"__metadata__":{"k":1}}"#, 0, .invalidEntry, "__metadata__"),
        (#"{"__metadata__":{"k":"v"}}    "#, 0, nil, nil),
        (#"{"a\u00fc\ud83d\ude00":{"dtype":"BOOL","shape":[],"data_offsets":[0,1]}}"#, 1, nil, nil),
        (#"{"a\ud83d":{"dtype":"BOOL","shape":[],"data_offsets":[0,1]}}"#, 1, .invalidHeader, nil),
    ] as [(String, Int, TensorFileError.Kind?, String?)])
    func malformedHeadersAreNamedErrors(header: String, dataSize: Int, kind: TensorFileError.Kind?, key: String?) {
        let error = Self.parseError(Self.file(header: header, dataSize: dataSize))
        #expect(error?.kind == kind, "\(error.map(String.init(describing:)) ?? "parsed")")
        #expect(error?.key == key)
    }

    @Test func escapedNamesAndZeroSizedTensorsParse() throws {
        let bytes = Self.file(header: #"{"a\u00fc\ud83d\ude00":{"dtype":"BOOL","shape":[],"data_offsets":[0,1]},"z":{"dtype":"I64","shape":[0,5],"data_offsets":[1,1]}}"#, dataSize: 1)
        let header = try bytes.withUnsafeBytes { try SafetensorsHeader.parse($0) }
        #expect(header.entries.map(\.name) == ["aü😀", "z"])
        #expect(header.entries.map(\.dataRange) == [0..<1, 1..<1])
    }

    @Test func badLengthPrefixesAreErrors() {
        #expect(Self.parseError([1, 2, 3])?.kind == .truncated)
        var huge = Self.file(header: "{}", dataSize: 0)
        huge[7] = 0x01  // 2^56 bytes
        #expect(Self.parseError(huge)?.kind == .headerTooLarge)
        var long = Self.file(header: "{}", dataSize: 0)
        long[0] = 200
        #expect(Self.parseError(long)?.kind == .truncated)
        let invalidUTF8 = withUnsafeBytes(of: UInt64(4).littleEndian, Array.init) + [0x7B, 0xFF, 0xFE, 0x7D]
        #expect(Self.parseError(invalidUTF8)?.kind == .invalidHeader)
    }

    @Test func openingMissingOrNonRegularFilesIsAnIOError() throws {
        let missing = #expect(throws: TensorFileError.self) { try SafetensorsFile(path: "/nonexistent/x.safetensors") }
        #expect(missing?.kind == .io)
        let directory = try Fixtures.temporaryDirectory()
        #expect((#expect(throws: TensorFileError.self) { try SafetensorsFile(path: directory.path) })?.kind == .io)
        let empty = directory.appendingPathComponent("empty.safetensors").path
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        #expect((#expect(throws: TensorFileError.self) { try SafetensorsFile(path: empty) })?.kind == .truncated)
    }
}
