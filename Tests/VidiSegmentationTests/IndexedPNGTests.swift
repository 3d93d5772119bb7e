import Foundation
import Testing
import VidiSegmentation
import VidiTestSupport

/// Indexed PNG reading and writing; expected labels come from PIL (`np.array(Image.open(...))`) through the
/// fixtures of `Tools/goldens/make_davis_goldens.py`, and from Python's standard-library PNG reader.
@Suite struct IndexedPNGTests {
    @Test func roundTripKeepsEveryLabelAndWritesTheDavisPalette() throws {
        var mask = LabelMask(width: 13, height: 7)
        for i in mask.labels.indices { mask.labels[i] = UInt8((i * 37) % 256) }
        let bytes = try IndexedPNG.encode(mask)
        #expect(try IndexedPNG.decode(bytes) == mask)
        // PLTE follows IHDR: index 1 is (128, 0, 0), index 2 (0, 128, 0), index 3 (128, 128, 0).
        let plte = Array(bytes[(8 + 25 + 8)..<(8 + 25 + 8 + 12)])
        #expect(plte == [0, 0, 0, 128, 0, 0, 0, 128, 0, 128, 128, 0])
    }

    @Test func readsTwoBitPaletteAndGrayscaleFilesPILWrote() throws {
        // PIL wrote this ground truth with bits=2: labels 0...3 packed 4 per byte (np.unique gives 0, 1, 2, 3).
        let packed = try IndexedPNG.read(path: Fixtures.path("davis/gt/Annotations/480p/missing/00000.png"))
        #expect(packed.width == 40 && packed.height == 40)
        #expect(Set(packed.labels) == [0, 1, 2, 3])
        let void = try IndexedPNG.read(path: Fixtures.path("davis/gt/Annotations/480p/voidodd/00000.png"))
        #expect(void.width == 53 && void.height == 37 && Set(void.labels) == [0, 1, 255])
        let gray = try IndexedPNG.read(path: Fixtures.path("davis/results/missing/00000.png"))
        #expect(gray.width == 40 && Set(gray.labels).isSubset(of: [0, 1, 2]))
    }

    @Test func badFilesThrowTypedErrors() throws {
        #expect(throws: SegmentationError.self) { try IndexedPNG.decode([1, 2, 3]) }
        var bytes = try IndexedPNG.encode(LabelMask(width: 4, height: 4, fill: 1))
        bytes[bytes.count - 20] ^= 0xFF  // inside IDAT: CRC mismatch
        #expect(throws: SegmentationError.self) { try IndexedPNG.decode(bytes) }
        let truncated = Array(try IndexedPNG.encode(LabelMask(width: 4, height: 4)).prefix(40))
        #expect(throws: SegmentationError.self) { try IndexedPNG.decode(truncated) }
        #expect(throws: SegmentationError.self) { try IndexedPNG.read(path: "/nonexistent/x.png") }
    }
}
