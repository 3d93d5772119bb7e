import Testing
import VidiNN
import VidiRetrieval
import VidiTensor
import VidiTestSupport

/// Expected values: `Tools/goldens/make_retrieval_goldens.py`, a float64 NumPy implementation written from
/// DRL's `wti_interaction`, CDCR (`--cdcr 2` / `--cdcr 3`) and `CrossEn`.
struct InteractionGoldenTests {
    static func g(_ name: String) throws -> Tensor { try Golden.tensor("retrieval/\(name)") }

    /// A DRL head whose weight branches hold the case's weights (loaded by DRL key names).
    static func model(_ name: String, width: Int) throws -> DRLModel {
        var tensors: [String: Tensor] = [:]
        for side in ["text", "video"] {
            for key in ["0.weight", "0.bias", "2.weight", "2.bias"] {
                tensors["\(side)_weight_fc.\(key)"] = try g("\(name)_\(side)_weight_fc_\(key.replacingOccurrences(of: ".", with: "_"))")
            }
        }
        tensors["clip.logit_scale"] = Tensor(2.3)
        let model = try DRLModel.load(tensors)
        #expect(model.configuration.width == width)
        #expect(model.configuration.weightBranchLayers == 2)
        return model
    }

    static func features(_ name: String) throws -> (TokenFeatures, TokenFeatures) {
        (try TokenFeatures(g("\(name)_text"), mask: g("\(name)_text_mask")),
         try TokenFeatures(g("\(name)_video"), mask: g("\(name)_video_mask")))
    }

    @Test(arguments: [("basic", 16), ("train", 12), ("ties", 8)])
    func wtiAndTIMatchTheNumpyReference(name: String, width: Int) throws {
        let model = try Self.model(name, width: width)
        let (text, video) = try Self.features(name)
        expectClose(try model.textWeights(text), try Self.g("\(name)_text_weights"), rtol: 1e-5, atol: 1e-6, "\(name) text weights")
        expectClose(try model.videoWeights(video), try Self.g("\(name)_video_weights"), rtol: 1e-5, atol: 1e-6, "\(name) video weights")
        let wti = try model.similarity(text: text, video: video, interaction: .wti).similarity
        expectClose(wti, try Self.g("\(name)_wti"), rtol: 1e-5, atol: 1e-6, "\(name) WTI")
        let ti = try model.similarity(text: text, video: video, interaction: .ti).similarity
        expectClose(ti, try Self.g("\(name)_ti"), rtol: 1e-5, atol: 1e-6, "\(name) TI")
    }

    @Test(arguments: ["train", "ties"])
    func lossesMatchTheNumpyReference(name: String) throws {
        let model = try Self.model(name, width: name == "train" ? 12 : 8)
        let (text, video) = try Self.features(name)
        let cdcr = ChannelDecorrelation(alpha1: 0.14, alpha2: 0.05)
        for interaction in Interaction.allCases {
            let kind = interaction.rawValue
            let tw = interaction == .wti ? try model.textWeights(text) : nil
            let vw = interaction == .wti ? try model.videoWeights(video) : nil
            let result = try TokenInteraction.interact(text: text, video: video, interaction: interaction, textWeights: tw, videoWeights: vw)
            let symmetric = try RetrievalLoss.symmetric(result.similarity, logitScale: Tensor(2.3))
            expectClose(symmetric, try Self.g("\(name)_\(kind)_symmetric_loss"), rtol: 1e-5, atol: 1e-6, "\(name) \(kind) symmetric loss")
            let reg = try cdcr.loss(result, text: text, video: video, textWeights: tw, videoWeights: vw)
            expectClose(reg, try Self.g("\(name)_\(kind)_cdcr"), rtol: 1e-4, atol: 1e-5, "\(name) \(kind) CDCR")
            let total = try model.loss(text: text, video: video, interaction: interaction, cdcr: cdcr, lambda: 0.001)
            expectClose(total, try Self.g("\(name)_\(kind)_total_loss"), rtol: 1e-5, atol: 1e-6, "\(name) \(kind) total loss")
        }
    }

    /// Finite differences of the whole objective against autograd, through the weight branches' inputs.
    @Test func lossGradientsMatchFiniteDifferences() throws {
        let model = try Self.model("train", width: 12)
        let (text, video) = try Self.features("train")
        try gradCheck([text.features, video.features], epsilon: 1e-2, rtol: 5e-2, atol: 2e-3) { inputs in
            try model.loss(text: TokenFeatures(inputs[0], mask: text.mask), video: TokenFeatures(inputs[1], mask: video.mask),
                           interaction: .wti, cdcr: ChannelDecorrelation(alpha1: 0.14, alpha2: 0.05), lambda: 0.5)
        }
    }

    @Test func paddedFeaturesDoNotChangeScores() throws {
        // Overwriting padded tokens and frames with other values must leave WTI and TI unchanged:
        // padding is zeroed in S and masked out of the softmax weights.
        let model = try Self.model("basic", width: 16)
        let (text, video) = try Self.features("basic")
        var generator = RandomGenerator(seed: 7)
        let noiseT = try Tensor.normal(text.features.shape, std: 5, generator: &generator) * (1 - text.mask).unsqueezed(axis: 2)
        let noiseV = try Tensor.normal(video.features.shape, std: 5, generator: &generator) * (1 - video.mask).unsqueezed(axis: 2)
        let text2 = try TokenFeatures(text.features + noiseT, mask: text.mask)
        let video2 = try TokenFeatures(video.features + noiseV, mask: video.mask)
        for interaction in Interaction.allCases {
            let a = try model.similarity(text: text, video: video, interaction: interaction).similarity
            let b = try model.similarity(text: text2, video: video2, interaction: interaction).similarity
            expectClose(b, a, rtol: 1e-5, atol: 1e-6, "\(interaction) with other padding values")
        }
    }

    @Test func badInputsThrowTypedErrors() throws {
        #expect(throws: RetrievalError.self) { try TokenFeatures(Tensor.zeros([2, 3])) }
        #expect(throws: RetrievalError.self) { try TokenFeatures(Tensor.ones([2, 3, 4]), mask: Tensor.zeros([2, 3])) }
        #expect(throws: RetrievalError.self) { try TokenFeatures(Tensor.ones([2, 3, 4]), mask: Tensor.ones([3, 2])) }
        let model = try Self.model("basic", width: 16)
        let text = try TokenFeatures(Tensor.ones([2, 3, 8]))
        #expect(throws: RetrievalError.self) { try model.textWeights(text) }
        #expect(throws: RetrievalError.self) { try DRLModel.load(["something": Tensor.ones([2])]) }
        #expect(throws: RetrievalError.self) { try RetrievalLoss.crossEntropyDiagonal(Tensor.ones([2, 3])) }
    }
}

/// The fused scorer (search, evaluation) against the same NumPy goldens as the autograd path.
struct FastScorerTests {
    @Test(arguments: [("basic", 16), ("train", 12), ("ties", 8)])
    func fusedScorerMatchesTheNumpyReference(name: String, width: Int) throws {
        let model = try InteractionGoldenTests.model(name, width: width)
        let (text, video) = try InteractionGoldenTests.features(name)
        for interaction in Interaction.allCases {
            let sim = try FeatureScoring.similarity(text: text, video: video, model: model, interaction: interaction)
            let expected = try InteractionGoldenTests.g("\(name)_\(interaction.rawValue)")
            expectClose(try Tensor(sim, shape: expected.shape), expected, rtol: 1e-5, atol: 1e-6, "\(name) fused \(interaction)")
        }
    }
}
