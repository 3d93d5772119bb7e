import Testing
import VidiRetrieval
import VidiTensor
import VidiTestSupport

/// Expected: Pillow's bicubic resize with torchvision's size and crop rules and CLIP's normalisation
/// (`Tools/goldens/make_preprocess_goldens.py`), on a PNG decoded here by FFmpeg (lossless, same bytes).
struct PreprocessGoldenTests {
    @Test(arguments: [32, 24, 64])
    func matchesPillowAndCLIPTransform(resolution: Int) throws {
        let image = try MediaInput.image(path: Fixtures.path("golden/retrieval/preprocess_input.png"), resolution: resolution)
        // Pillow's 8-bit arithmetic is reproduced exactly: equal up to float rounding of the normalisation.
        expectClose(image, try Golden.tensor("retrieval/preprocess_\(resolution)"), rtol: 0, atol: 1e-5, "n = \(resolution)")
    }

    @Test func rejectsBadImages() throws {
        #expect(throws: RetrievalError.self) { try CLIPPreprocess.tensor(rgb: [0, 0], width: 1, height: 1, resolution: 4) }
        #expect(throws: (any Error).self) { try MediaInput.image(path: Fixtures.path("media/bad-text.txt"), resolution: 8) }
    }
}
