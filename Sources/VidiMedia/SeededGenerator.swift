/// SplitMix64 (Steele, Lea & Flood 2014; Vigna's reference `splitmix64.c`): a tiny seeded generator whose
/// output depends only on the seed, on every platform and Swift version. Samplers use it, so the same
/// seed always picks the same frames.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound` (bound > 0) by Lemire's multiply-shift with rejection. Written out here
    /// rather than using `Int.random(in:using:)`, whose algorithm the standard library may change.
    public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "bound must be positive")
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return product.high
    }

    /// Uniform in `0..<bound` for a positive Int bound.
    public mutating func nextInt(below bound: Int) -> Int {
        Int(next(below: UInt64(bound)))
    }
}
