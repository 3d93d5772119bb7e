import Foundation
import Testing
@testable import VidiTensor
@testable import VidiFormats
import VidiTestSupport

/// Damaged files must throw or load, never crash: every truncation of small reference files, and
/// seeded random byte flips. (A crash here fails the whole test process, which is the point.)
@Suite struct TensorIOFuzzTests {
    static func bytes(_ fixture: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: URL(fileURLWithPath: Fixtures.path("golden/serialization/" + fixture))))
    }

    /// Parses a safetensors image and touches every tensor's bytes; returns whether it parsed.
    static func loadSafetensors(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            guard let header = try? SafetensorsHeader.parse(raw) else { return false }
            for entry in header.entries {
                // The validator promised the range is inside the file; check it rather than trust it.
                let range = (header.dataOffset + entry.dataRange.lowerBound)..<(header.dataOffset + entry.dataRange.upperBound)
                #expect(range.upperBound <= raw.count && entry.elementCount * entry.dtype.itemSize == range.count)
            }
            return true
        }
    }

    @Test func everyTruncationOfASafetensorsFileIsAnError() throws {
        let full = try Self.bytes("mixed.safetensors")
        #expect(Self.loadSafetensors(full))
        for length in 0..<full.count {
            #expect(!Self.loadSafetensors(Array(full[0..<length])), "prefix of \(length) bytes parsed")
        }
    }

    @Test func randomByteFlipsInASafetensorsFileNeverCrash() throws {
        let full = try Self.bytes("mixed.safetensors")
        var generator = SplitMix64(seed: 42)
        var parsed = 0
        for _ in 0..<2000 {
            var damaged = full
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<damaged.count, using: &generator)
                damaged[index] = UInt8.random(in: 0...255, using: &generator)
            }
            if Self.loadSafetensors(damaged) { parsed += 1 }
        }
        // Flips inside tensor data leave a valid file; flips in the header mostly do not.
        #expect(parsed > 0 && parsed < 2000)
    }

    /// Parses an .npz image in memory (what `NPZFile` does over its mapping) and decodes every array.
    static func loadNPZ(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            guard let members = try? ZipReader.members(of: raw) else { return false }
            for member in members {
                guard let contents = try? ZipReader.contents(of: member, in: raw), (try? NPYFormat.decode(contents)) != nil else {
                    return false
                }
            }
            return true
        }
    }

    @Test func everyTruncationOfAnNPZIsAnError() throws {
        for fixture in ["arrays-compressed.npz", "arrays.npz", "zip64.npz"] {
            let full = try Self.bytes(fixture)
            #expect(Self.loadNPZ(full))
            for length in 0..<full.count {
                #expect(!Self.loadNPZ(Array(full[0..<length])), "\(fixture): prefix of \(length) bytes loaded")
            }
        }
    }

    @Test func randomByteFlipsInAnNPZNeverCrash() throws {
        let full = try Self.bytes("arrays-compressed.npz")
        var generator = SplitMix64(seed: 7)
        var loaded = 0
        for _ in 0..<600 {
            var damaged = full
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let index = Int.random(in: 0..<damaged.count, using: &generator)
                damaged[index] = UInt8.random(in: 0...255, using: &generator)
            }
            if Self.loadNPZ(damaged) { loaded += 1 }
        }
        // CRC-32 over every member catches nearly all payload damage; flips in unused header fields survive.
        #expect(loaded < 600)
    }

    /// Decodes a .npy image into a tensor; returns whether it loaded.
    static func loadNPY(_ bytes: [UInt8]) -> Bool {
        guard let array = try? NPYFormat.decode(bytes) else { return false }
        return (try? Tensor(npy: array)) != nil
    }

    @Test func damagedNPYFilesNeverCrashTheTensorBridge() throws {
        for fixture in ["fortran-i4-3d.npy", "bigendian-f4.npy", "float16.npy"] {
            let full = try Self.bytes(fixture)
            #expect(Self.loadNPY(full))
            for length in 0..<full.count {
                #expect(!Self.loadNPY(Array(full[0..<length])), "\(fixture): prefix of \(length) bytes loaded")
            }
            var generator = SplitMix64(seed: 11)
            for _ in 0..<500 {
                var damaged = full
                let index = Int.random(in: 0..<damaged.count, using: &generator)
                damaged[index] = UInt8.random(in: 0...255, using: &generator)
                _ = Self.loadNPY(damaged)
            }
        }
    }
}
