import Testing
import VidiNN
import VidiRetrieval
import VidiTensor
import VidiTestSupport

/// Expected values: OpenAI's `clip/model.py` (`encode_image`, `encode_text`, and `ln_final → text_projection`
/// on every token) with random weights, written by `Tools/goldens/make_clip_goldens.py`.
struct CLIPGoldenTests {
    static func g(_ name: String) throws -> Tensor { try Golden.tensor("retrieval/\(name)") }
    static func weights(_ name: String) -> String { Fixtures.path("golden/retrieval/clip_\(name).safetensors") }

    @Test(arguments: [
        ("p8", CLIPModel.Configuration(embedDim: 32, vision: .init(resolution: 32, patchSize: 8, width: 64, layers: 2),
                                       text: .init(contextLength: 77, vocabularySize: 400, width: 64, layers: 2))),
        ("p16", CLIPModel.Configuration(embedDim: 48, vision: .init(resolution: 48, patchSize: 16, width: 128, layers: 1),
                                        text: .init(contextLength: 16, vocabularySize: 300, width: 128, layers: 1))),
    ])
    func encodersMatchOpenAI(name: String, configuration: CLIPModel.Configuration) throws {
        let model = try CLIPModel.load(path: Self.weights(name))
        #expect(model.configuration == configuration)
        let ids = try Self.g("clip_\(name)_ids")
        expectClose(try model.encodeImage(Self.g("clip_\(name)_images")), try Self.g("clip_\(name)_image_features"),
                    rtol: 1e-4, atol: 1e-5, "\(name) encode_image")
        expectClose(try model.encodeText(ids), try Self.g("clip_\(name)_text_features"), rtol: 1e-4, atol: 1e-5, "\(name) encode_text")
        let tokens = try Self.g("clip_\(name)_token_features")
        expectClose(try model.encodeTextTokens(ids), tokens, rtol: 1e-4, atol: 1e-5, "\(name) token features")
        // The causal mask makes a shorter input's rows equal the first rows of the full one.
        let short = try ids.narrowed(axis: 1, start: 0, length: 8).contiguous()
        expectClose(try model.encodeTextTokens(short), try tokens.narrowed(axis: 1, start: 0, length: 8).contiguous(),
                    rtol: 1e-4, atol: 1e-5, "\(name) first 8 tokens")
    }

    @Test func drlPrefixedCheckpointLoads() throws {
        var tensors = try Safetensors.read(path: Self.weights("p8"))
        tensors = Dictionary(uniqueKeysWithValues: tensors.map { ("clip." + $0.key, $0.value) })
        let drl = try DRLModel.load(tensors)
        #expect(drl.configuration.weightBranchLayers == 0)
        #expect(drl.configuration.clip?.vision?.patchSize == 8)
        expectClose(try drl.clip.encodeImage(Self.g("clip_p8_images")), try Self.g("clip_p8_image_features"),
                    rtol: 1e-4, atol: 1e-5, "clip.-prefixed encode_image")
        let clip = try CLIPModel.load(tensors)
        expectClose(try clip.encodeText(Self.g("clip_p8_ids")), try Self.g("clip_p8_text_features"), rtol: 1e-4, atol: 1e-5, "clip.-prefixed encode_text")
    }

    @Test func brokenCheckpointsThrowCheckpointErrors() throws {
        var tensors = try Safetensors.read(path: Self.weights("p8"))
        tensors["ln_final.weight"] = nil
        #expect(throws: RetrievalError.self) { try CLIPModel.load(tensors) }
        tensors = try Safetensors.read(path: Self.weights("p8"))
        tensors["visual.proj"] = Tensor.zeros([64, 7])
        #expect(throws: RetrievalError.self) { try CLIPModel.load(tensors) }
        #expect(throws: RetrievalError.self) { try CLIPModel.load(["foo": Tensor.zeros([1])]) }
        let model = try CLIPModel.load(path: Self.weights("p8"))
        #expect(throws: RetrievalError.self) { try model.encodeTextTokens(Tensor(elements: [Int64(999)], shape: [1, 1])) }
        #expect(throws: (any Error).self) { try model.encodeImage(Tensor.zeros([1, 3, 16, 16])) }
    }
}
