import Testing
@testable import vidi

@Suite("frame batching")
struct FrameBatchingTests {
    @Test("batches keep every index, in order, at most 32 each, never across a keyframe")
    func batches() {
        let keyframes = [0, 25, 50, 250]
        let indices = Array(0..<300).filter { $0 % 3 == 0 }
        let batches = FrameFiles.batches(indices, keyframes: keyframes)
        #expect(batches.flatMap { $0 } == indices)
        for batch in batches {
            #expect(batch.count <= 32)
            let first = keyframes.last { $0 <= batch[0] } ?? 0
            let last = keyframes.last { $0 <= batch[batch.count - 1] } ?? 0
            #expect(first == last, "\(batch) crosses a keyframe")
        }
        // [0,25): 9 indices, [25,50): 8, [50,250): 67 -> 32 + 32 + 3, [250,300): 16.
        #expect(batches.map(\.count) == [9, 8, 32, 32, 3, 16])
        #expect(FrameFiles.batches([], keyframes: keyframes).isEmpty)
    }
}
