import VidiTensor

/// WebDataset's sample shuffle: a buffer of `capacity` samples; once full, each new sample takes the place
/// of a uniformly chosen one, which is emitted. At the end the rest comes out in a random order. Seeded,
/// so the same stream and seed give the same order.
struct ShuffleBuffer<Element> {
    private var items: [Element] = []
    private let capacity: Int
    private var generator: RandomGenerator

    init(capacity: Int, seed: UInt64) {
        self.capacity = capacity
        generator = RandomGenerator(seed: seed)
        items.reserveCapacity(max(0, capacity))
    }

    /// Adds `element`; returns the element to emit now, if any.
    mutating func push(_ element: Element) -> Element? {
        guard capacity > 1 else { return element }
        guard items.count >= capacity else {
            items.append(element)
            return nil
        }
        let index = generator.nextIndex(below: items.count)
        let out = items[index]
        items[index] = element
        return out
    }

    /// Everything still buffered, in a random order.
    mutating func drain() -> [Element] {
        let order = generator.permutation(items.count)
        let out = order.map { items[$0] }
        items.removeAll()
        return out
    }
}
