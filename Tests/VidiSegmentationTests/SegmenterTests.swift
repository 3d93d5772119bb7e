import Foundation
import Testing
import VidiNN
import VidiTensor
import VidiTestSupport
@testable import VidiSegmentation

/// The streaming Segmenter and the memory policies on a random-weight `small` network: invariants of the
/// reference's inference loop (RDE's read memory is 4 x hw positions after the first update and never
/// grows; STCN's grows by hw per memory frame), objects added later, configuration read from weights.
@Suite struct SegmenterTests {
    static func network(rde: Bool) -> STCN {
        var generator = RandomGenerator(seed: 3)
        let network = STCN(.small(rde: rde), generator: &generator)
        network.eval()
        return network
    }

    static func frames(_ count: Int) throws -> (sequence: SyntheticVOSSequence, options: SyntheticVOSOptions) {
        let options = SyntheticVOSOptions(width: 48, height: 40, frames: count, objects: 2...2, distractors: 1)
        return (try SyntheticVOSSequence(options: options, seed: 4, index: 0), options)
    }

    @Test func rdeMemoryStaysConstantWhileGrowMemoryGrows() throws {
        let (sequence, options) = try Self.frames(12)
        let hw = 3 * 3  // 48x40 pads to 48x48: 3 x 3 positions at 1/16
        for kind in [MemoryKind.rde, .grow] {
            let segmenter = try Segmenter(network: Self.network(rde: true), options: SegmenterOptions(memory: kind, memoryEvery: 3))
            var positions: [Int] = []
            for t in 0..<options.frames {
                let frame = sequence.render(frame: t)
                _ = try segmenter.step(rgb: frame.rgb, width: 48, height: 40, mask: t == 0 ? frame.mask : nil)
                positions.append(segmenter.memoryPositions)
            }
            if kind == .rde {
                // [first, first] until the first update at frame 3, then [S, last, first, first].
                #expect(positions == [2, 2, 2] .map { $0 * hw } + Array(repeating: 4 * hw, count: 9))
            } else {
                // first frame, then frames 3, 6, 9 (every 3rd), one hw each.
                #expect(positions == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4].map { $0 * hw })
            }
        }
    }

    @Test func firstFrameOutputIsTheGivenMaskAndLaterObjectsJoin() throws {
        let (sequence, _) = try Self.frames(4)
        let segmenter = try Segmenter(network: Self.network(rde: false), options: SegmenterOptions(memory: .grow))
        var first = sequence.render(frame: 0).mask
        for i in first.labels.indices where first.labels[i] == 2 { first.labels[i] = 0 }
        let frame0 = sequence.render(frame: 0)
        let out0 = try segmenter.step(rgb: frame0.rgb, width: 48, height: 40, mask: first)
        #expect(out0.labels == first)  // soft aggregation of a one-hot mask keeps every label
        let frame1 = sequence.render(frame: 1)
        _ = try segmenter.step(rgb: frame1.rgb, width: 48, height: 40)
        // Object 7 appears at frame 2 as a box; its pixels override the prediction there.
        var added = LabelMask(width: 48, height: 40)
        for y in 5..<15 { for x in 30..<40 { added[y, x] = 7 } }
        let frame2 = sequence.render(frame: 2)
        let out2 = try segmenter.step(rgb: frame2.rgb, width: 48, height: 40, mask: added)
        #expect(segmenter.objectIDs == [1, 7])
        for y in 5..<15 { for x in 30..<40 { #expect(out2.labels[y, x] == 7) } }
        let out3 = try segmenter.step(rgb: sequence.render(frame: 3).rgb, width: 48, height: 40)
        #expect(Set(out3.labels.labels).isSubset(of: [0, 1, 7]))
        #expect(out3.probabilities.shape == [3, 1, 48, 48])
    }

    @Test func configurationAndMemoryKindComeFromTheWeights() throws {
        let rde = Self.network(rde: true).stateDict(), stcn = Self.network(rde: false).stateDict()
        #expect(try STCNConfiguration(weights: rde) == .small(rde: true))
        #expect(try STCNConfiguration(weights: stcn) == .small(rde: false))
        #expect(try STCN(weights: stcn).memoryCompression == nil)
        #expect(throws: SegmentationError.self) {
            try Segmenter(network: STCN(weights: stcn), options: SegmenterOptions(memory: .rde))
        }
        var broken = stcn
        broken["decoder.pred.weight"] = nil
        #expect(throws: (any Error).self) { try STCN(weights: broken) }
        #expect(SegmenterOptions(memory: .rde) == SegmenterOptions(memory: .rde, memoryEvery: 3, topK: 40))
        #expect(SegmenterOptions(memory: .grow) == SegmenterOptions(memory: .grow, memoryEvery: 5, topK: 20))
    }

    @Test func badInputThrowsInsteadOfCrashing() throws {
        let segmenter = try Segmenter(network: Self.network(rde: false), options: SegmenterOptions(memory: .grow))
        let frame = [UInt8](repeating: 0, count: 48 * 40 * 3)
        #expect(throws: SegmentationError.self) { try segmenter.step(rgb: frame, width: 48, height: 40) }  // no objects
        #expect(throws: SegmentationError.self) { try segmenter.step(rgb: [1, 2], width: 48, height: 40) }
        #expect(throws: SegmentationError.self) {
            try segmenter.step(rgb: frame, width: 48, height: 40, mask: LabelMask(width: 10, height: 10, fill: 1))
        }
    }

    @Test func oneTrainingStepGivesFiniteLossesForBothBranches() throws {
        let sampler = SyntheticClipSampler(options: SyntheticVOSOptions(width: 32, height: 32, frames: 10, objects: 1...2),
                                           sequences: 4, length: 3, seed: 2)
        let loss = VOSTrainingLoss(network: Self.network(rde: true), warmupClips: 0)
        var generator = RandomGenerator(seed: 1)
        let total = try loss.loss(try sampler.clip(at: 0), clipsSeen: 0, generator: &generator)
        try total.backward()
        let losses = loss.lastParts
        #expect(try total.item().isFinite)
        #expect(losses.crossEntropy.isFinite && losses.crossEntropy > 0)
        #expect(losses.samCrossEntropy.isFinite && losses.samCrossEntropy > 0)
        #expect(losses.kl.isFinite && losses.kl >= 0)
        #expect(losses.consistency.isFinite && losses.consistency >= 0)
    }
}
