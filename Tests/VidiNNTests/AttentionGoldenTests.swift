import Testing
import VidiNN
import VidiTensor
import VidiTestSupport

/// MultiheadAttention and transformer layers against PyTorch (`nn.MultiheadAttention`,
/// `nn.TransformerEncoderLayer` / `DecoderLayer`, dropout 0), weights by state dict; rtol 1e-4, atol 1e-5.
@Suite struct AttentionGoldenTests {
    var generator = RandomGenerator(seed: 5)

    @Test mutating func attentionWithPaddingAndFloatMaskMatchesPyTorchWithGradients() throws {
        let golden = GoldenCase("mha")
        let mha = MultiheadAttention(embedDim: 8, heads: 2, batchFirst: true, generator: &generator)
        try golden.load(into: mha)
        let q = try golden.tensor("q").requiresGrad(), k = try golden.tensor("k").requiresGrad()
        let v = try golden.tensor("v").requiresGrad()
        let out = try mha(q, k, v, keyPaddingMask: golden.tensor("key_padding_mask"),
                          attentionMask: golden.tensor("attn_mask"))
        expectClose(out, try golden.tensor("out"), rtol: 1e-4, atol: 1e-5, "mha")
        try golden.backward(out)
        for (name, input) in [("q", q), ("k", k), ("v", v)] {
            expectClose(input.grad ?? Tensor.zeros([0]), try golden.tensor("grad_\(name)"), rtol: 1e-4, atol: 1e-5, "grad \(name)")
        }
        for key in ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"] {
            try golden.expectGradient(mha, key)
        }
    }

    @Test mutating func headAveragedAttentionWeights() throws {
        let golden = GoldenCase("mha")
        let mha = MultiheadAttention(embedDim: 8, heads: 2, batchFirst: true, generator: &generator)
        try golden.load(into: mha)
        let weights = try mha.attend(golden.tensor("q"), golden.tensor("k"), golden.tensor("v"),
                                     keyPaddingMask: golden.tensor("key_padding_mask"), attentionMask: golden.tensor("attn_mask")).weights
        expectClose(weights, try golden.tensor("weights"), rtol: 1e-4, atol: 1e-6, "need_weights=True")
    }

    @Test mutating func sequenceFirstCausalBoolMask() throws {
        let golden = GoldenCase("mha_causal_seqfirst")
        let mha = MultiheadAttention(embedDim: 8, heads: 2, batchFirst: false, generator: &generator)
        try golden.load(into: mha)
        let out = try mha(golden.tensor("x"), attentionMask: golden.tensor("attn_mask"))
        expectClose(out, try golden.tensor("out"), rtol: 1e-4, atol: 1e-5)
    }

    /// Self-attention projects q, k and v with one packed GEMM; separate inputs take the three-slice path.
    /// Both must give the same output and gradients (up to GEMM rounding): the same `x` passed once as
    /// itself (packed) and once as three distinct but equal tensors (unpacked).
    @Test mutating func packedSelfAttentionProjectionMatchesThreeSeparateProjections() throws {
        let mha = MultiheadAttention(embedDim: 12, heads: 3, batchFirst: false, generator: &generator)
        let x = Tensor.normal([5, 2, 12], generator: &generator), weights = Tensor.normal([5, 2, 12], generator: &generator)
        let mask = try Tensor((0..<25).map { $0 % 5 > $0 / 5 ? -Float.infinity : 0 }, shape: [5, 5])   // causal
        func run(packed: Bool) throws -> (out: Tensor, grads: [Tensor], input: Tensor) {
            mha.zeroGrad()
            let input = x.detached().requiresGrad()
            let out = packed ? try mha(input, attentionMask: mask)
                : try mha(input, input.reshaped([5, 2, 12]), input.reshaped([5, 2, 12]), attentionMask: mask)
            try (out * weights).sum().backward()
            return (out, mha.parameters.map { $0.grad ?? Tensor.zeros([0]) }, input.grad ?? Tensor.zeros([0]))
        }
        let packed = try run(packed: true), separate = try run(packed: false)
        expectClose(packed.out, separate.out, rtol: 1e-5, atol: 1e-6, "output")
        expectClose(packed.input, separate.input, rtol: 1e-5, atol: 1e-6, "input gradient")
        for (a, b) in zip(packed.grads, separate.grads) { expectClose(a, b, rtol: 1e-5, atol: 1e-6, "parameter gradient") }
    }

    @Test mutating func badMaskShapesThrow() throws {
        let mha = MultiheadAttention(embedDim: 8, heads: 2, batchFirst: true, generator: &generator)
        let x = Tensor.zeros([2, 3, 8])
        #expect(throws: TensorError.self) { try mha(x, attentionMask: Tensor.zeros([2, 3])) }
        #expect(throws: TensorError.self) { try mha(x, keyPaddingMask: Tensor.zeros([2, 4], dtype: .bool)) }
        #expect(throws: TensorError.self) { try mha(Tensor.zeros([2, 3, 6])) }
    }

    @Test mutating func encoderLayerBothNormPlacements() throws {
        for normFirst in [false, true] {
            let golden = GoldenCase("encoder_\(normFirst ? "prenorm" : "postnorm")")
            let options = TransformerLayerOptions(feedForwardDim: 16, dropout: 0, activation: .gelu, batchFirst: true, normFirst: normFirst)
            let layer = TransformerEncoderLayer(model: 8, heads: 2, options: options, generator: &generator)
            try golden.load(into: layer)
            let out = try layer(golden.tensor("src"), keyPaddingMask: golden.tensor("src_key_padding_mask"))
            expectClose(out, try golden.tensor("out"), rtol: 1e-4, atol: 1e-5, golden.name)
        }
    }

    @Test mutating func decoderLayerBothNormPlacements() throws {
        for normFirst in [false, true] {
            let golden = GoldenCase("decoder_\(normFirst ? "prenorm" : "postnorm")")
            let options = TransformerLayerOptions(feedForwardDim: 16, dropout: 0, activation: .relu, batchFirst: true, normFirst: normFirst)
            let layer = TransformerDecoderLayer(model: 8, heads: 2, options: options, generator: &generator)
            try golden.load(into: layer)
            let out = try layer(golden.tensor("tgt"), memory: golden.tensor("memory"), targetMask: golden.tensor("tgt_mask"),
                                memoryKeyPaddingMask: golden.tensor("memory_key_padding_mask"))
            expectClose(out, try golden.tensor("out"), rtol: 1e-4, atol: 1e-5, golden.name)
        }
    }

    @Test mutating func positionalEncodings() throws {
        expectClose(SinusoidalPositionalEncoding.table(length: 7, dimension: 6), try Golden.tensor("nn/sinusoidal_7x6"),
                    rtol: 1e-5, atol: 1e-6, "sinusoidal table")
        let x = Tensor.zeros([2, 7, 6])
        expectClose(try SinusoidalPositionalEncoding(dimension: 6)(x), try Golden.tensor("nn/sinusoidal_7x6").expanded(to: [2, 7, 6]).contiguous())
        let learned = LearnedPositionalEncoding(maxLength: 10, dimension: 6, generator: &generator)
        #expect(learned.namedParameters().map(\.name) == ["weight"])
        let y = try learned(x)
        expectClose(try y.selecting(axis: 0, index: 1), try learned.weight.value.narrowed(axis: 0, start: 0, length: 7), rtol: 0, atol: 0)
        #expect(throws: TensorError.self) { try learned(Tensor.zeros([1, 11, 6])) }
    }
}
