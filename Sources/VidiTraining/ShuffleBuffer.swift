import VidiTensor

/// WebDataset's sample shuffle: a buffer of `capacity` samples; once full, each new sample takes the place
/// of a uniformly chosen one, which is emitted. At the end the rest comes out in a random order. Seeded,
/// so the same stream and seed give the same order.
///
/// `maxBytes` (0: no limit) bounds the buffered samples' total `size`: before a sample goes in, random
/// samples are emitted until it fits (a sample larger than the cap is held alone). Pretext samples are
/// megabytes each (a MoSI stack 5.4 MB), and a 1,000-sample buffer of CMD samples held 4-8 GB.
struct ShuffleBuffer<Element> {
    private var items: [Element] = []
    private var sizes: [Int] = []
    private var bytes = 0
    private let capacity: Int
    private let maxBytes: Int
    private let size: (Element) -> Int
    private var generator: RandomGenerator

    init(capacity: Int, maxBytes: Int = 0, seed: UInt64, size: @escaping (Element) -> Int = { _ in 0 }) {
        self.capacity = capacity
        self.maxBytes = maxBytes
        self.size = size
        generator = RandomGenerator(seed: seed)
        items.reserveCapacity(max(0, min(capacity, 4096)))
    }

    /// Adds `element`; returns the elements to emit now (none while filling, one when full by count,
    /// more when the byte cap needs room; the count rule alone gives WebDataset's swap exactly).
    mutating func push(_ element: Element) -> [Element] {
        guard capacity > 1 else { return [element] }
        let elementSize = size(element)
        var out: [Element] = []
        while maxBytes > 0, !items.isEmpty, bytes + elementSize > maxBytes {
            let index = generator.nextIndex(below: items.count)
            items.swapAt(index, items.count - 1)
            sizes.swapAt(index, sizes.count - 1)
            bytes -= sizes.removeLast()
            out.append(items.removeLast())
        }
        if items.count >= capacity {
            let index = generator.nextIndex(below: items.count)
            out.append(items[index])
            bytes += elementSize - sizes[index]
            items[index] = element
            sizes[index] = elementSize
        } else {
            items.append(element)
            sizes.append(elementSize)
            bytes += elementSize
        }
        return out
    }

    /// Samples held now.
    var count: Int { items.count }

    /// Everything still buffered, in a random order.
    mutating func drain() -> [Element] {
        let order = generator.permutation(items.count)
        let out = order.map { items[$0] }
        items.removeAll()
        sizes.removeAll()
        bytes = 0
        return out
    }
}
