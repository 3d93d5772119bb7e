import Foundation
import Testing
import VidiNN
import VidiTensor
import VidiTestSupport
@testable import VidiSegmentation

/// Against the official PyTorch code of STCN (hkchengrex/STCN eb83102) and RDE-VOS
/// (Limingxing00/RDE-VOS-CVPR2022 548a889), run on CPU by `Tools/goldens/make_vos_goldens.py` with the seeded
/// formula weights that `ReferenceWeights` rebuilds: memory read, soft aggregation, SAM, and the full
/// networks (keys, value encoder, readout, decoder, the eval scripts' masks on a 6-frame clip).
@Suite struct VOSGoldenTests {
    static func golden(_ name: String) throws -> Tensor { try Golden.tensor("vos/\(name)") }

    static func expectClose(_ actual: Tensor, _ expected: Tensor, rtol: Float = 1e-3, atol: Float = 1e-4,
                            _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let closeness = Closeness(try actual.reshaped(expected.shape), expected, rtol: rtol, atol: atol)
        #expect(closeness.passed, "\(what): \(closeness)", sourceLocation: sourceLocation)
    }

    @Test func topKAndSoftmaxMemoryReadsMatchSTCN() throws {
        let keys = try Self.golden("memread_keys").reshaped([64, 105])
        let query = try Self.golden("memread_query").reshaped([64, 35])
        let values = try Self.golden("memread_values").reshaped([2, 16, 105])
        let topK = try MemoryRead.topKReadout(memoryKeys: keys, queryKeys: query, values: values, topK: 20)
        try Self.expectClose(topK, Self.golden("memread_topk20"), "top-20 readout (inference_memory_bank.MemoryBank)")
        let full = try MemoryRead.softmaxReadout(memoryKeys: keys, queryKeys: query, values: values)
        try Self.expectClose(full, Self.golden("memread_softmax"), "softmax readout (network.MemoryReader)")
    }

    @Test func softAggregationMatchesSTCN() throws {
        let output = try SoftAggregation.aggregate(Self.golden("aggregate_input"))
        try Self.expectClose(output, Self.golden("aggregate_output"), rtol: 1e-5, atol: 1e-6, "aggregate(keep_bg=True)")
    }

    @Test func samUpdateMatchesRDEVOS() throws {
        var generator = RandomGenerator(seed: 1)
        let compression = RDEMemoryCompression(keyDim: 64, valueDim: 512, generator: &generator)
        try compression.loadStateDict(ReferenceWeights.state(for: compression, prefix: "mem_compress."))
        let key = try compression.compressKeys(Self.golden("sam_key_input"))
        try Self.expectClose(key, Self.golden("sam_key_output"), "MemCrompress keys")
        let value = try compression.compressValues(Self.golden("sam_value_input").reshaped([2, 512, 2, 5, 7]))
        try Self.expectClose(value, Self.golden("sam_value_output"), "MemCrompress values")
    }

    static func clip() throws -> (frames: [[UInt8]], firstMask: LabelMask) {
        let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Fixtures.path("golden/vos/clip_6x73x107.rgb"))))
        let size = 73 * 107 * 3
        let frames = (0..<6).map { Array(data[($0 * size)..<(($0 + 1) * size)]) }
        let labels = try golden("clip_first_mask").toArray(Int32.self).map { UInt8($0) }
        return (frames, try LabelMask(width: 107, height: 73, labels: labels))
    }

    /// One network for every full-size check: RDE-VOS = STCN + mem_compress, same formula weights.
    @Test func fullNetworksMatchTheOfficialCodeStepByStepAndOnAClip() throws {
        var generator = RandomGenerator(seed: 1)
        let network = STCN(.full(rde: true), generator: &generator)
        try network.loadStateDict(ReferenceWeights.state(for: network))
        network.eval()
        #expect(try STCNConfiguration(weights: network.stateDict()) == .full(rde: true))
        let (frames, firstMask) = try Self.clip()
        let geometry = PaddedGeometry(width: 107, height: 73)
        #expect((geometry.left, geometry.right, geometry.top, geometry.bottom) == (2, 3, 3, 4))

        try withNoGrad {
            // One step by hand, as the golden script drives STCN (frame 0 into memory, frame 1 read).
            let image0 = try geometry.image(rgb: frames[0])
            let query0 = try network.encodeKey(image0)
            try Self.expectClose(query0.key, Self.golden("step_key0"), "encode_key: key")
            try Self.expectClose(query0.value, Self.golden("step_qvalue0"), "encode_key: query value")
            try Self.expectClose(query0.f16, Self.golden("step_f16"), "encode_key: f16")
            let masks = try SoftAggregation.aggregate(geometry.oneHot(firstMask, ids: [1, 2])).sliced(axis: 0, start: 1)
            let value0 = try network.encodeValue(frame: image0, f16: query0.f16, masks: masks)
            try Self.expectClose(value0, Self.golden("step_value0"), "encode_value")
            let bank = try MemoryBank(kind: .grow, compression: nil)
            try bank.add(key: query0.key, value: value0)
            let query1 = try network.encodeKey(geometry.image(rgb: frames[1]))
            let readout = try bank.read(queryKey: query1.key, topK: 20)
            try Self.expectClose(readout, Self.golden("step_readout1"), "match_memory readout")
            let probabilities = try network.segment(readout: readout, query: query1)
            try Self.expectClose(probabilities, Self.golden("step_probabilities1"), "segment_with_query")
            try Self.expectClose(SoftAggregation.aggregate(probabilities), Self.golden("step_aggregated1"), "aggregate")
        }

        // The eval scripts' masks (InferenceCore, mem_every 2), compared where the reference is decisive.
        for (kind, topK, name) in [(MemoryKind.grow, 20, "stcn_clip_masks"), (.rde, 40, "rde_clip_masks")] {
            let expected = try Self.golden(name).toArray(Int32.self)
            let segmenter = try Segmenter(network: network, options: SegmenterOptions(memory: kind, memoryEvery: 2, topK: topK))
            var compared = 0, differing = 0
            for (t, frame) in frames.enumerated() {
                let result = try segmenter.step(rgb: frame, width: 107, height: 73, mask: t == 0 ? firstMask : nil,
                                                isLast: t == frames.count - 1)
                for (i, label) in result.labels.labels.enumerated() where expected[t * 73 * 107 + i] >= 0 {
                    compared += 1
                    if Int32(label) != expected[t * 73 * 107 + i] { differing += 1 }
                }
            }
            #expect(compared > 6 * 73 * 107 / 5, "\(name): too few decisive pixels (\(compared))")
            #expect(differing == 0, "\(name): \(differing) of \(compared) decisive pixels differ")
        }
    }
}
