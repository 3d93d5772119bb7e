import Testing
@testable import VidiTraining

@Suite struct ShuffleBufferTests {
    /// Invariant: with a byte cap the buffer never holds more than the cap, still emits every element
    /// exactly once and still shuffles; with no cap it holds `capacity` elements.
    @Test func byteCapBoundsWhatIsHeld() {
        let sizes = (0..<200).map { 1 + ($0 * 37) % 10 }   // 1...10 "bytes" each
        var capped = ShuffleBuffer<Int>(capacity: 1000, maxBytes: 25, seed: 3, size: { sizes[$0] })
        var emitted: [Int] = []
        var held = 0
        for i in sizes.indices {
            emitted += capped.push(i)
            held = max(held, capped.count)
            let bytes = (0..<200).filter { !emitted.contains($0) && $0 <= i }.reduce(0) { $0 + sizes[$1] }
            #expect(bytes <= 25)
        }
        emitted += capped.drain()
        #expect(emitted.sorted() == Array(0..<200))
        #expect(held >= 3 && held <= 25)
        #expect(emitted != Array(0..<200), "a capped buffer still shuffles")

        var uncapped = ShuffleBuffer<Int>(capacity: 50, seed: 3, size: { sizes[$0] })
        for i in sizes.indices { _ = uncapped.push(i) }
        #expect(uncapped.count == 50)
    }

    /// An element larger than the cap on its own still passes through (the buffer holds it alone).
    @Test func oversizedElementPassesThrough() {
        var buffer = ShuffleBuffer<Int>(capacity: 10, maxBytes: 5, seed: 1, size: { _ in 8 })
        #expect(buffer.push(0) == [])
        #expect(buffer.push(1) == [0])
        #expect(buffer.drain() == [1])
    }
}
