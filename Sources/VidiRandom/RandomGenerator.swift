import Foundation

/// The seeded generator every random choice in Vidi takes (initialisation, augmentation, frame sampling,
/// shuffling): xoshiro256** (Blackman & Vigna, 2018), its state seeded from one 64-bit seed through
/// `SplitMix64` as its authors recommend. Same seed, same sequence, on every platform and Swift version.
/// Its whole state is four words (`state`), so a training checkpoint can save it and resume the stream.
public struct RandomGenerator: SeededRandomGenerator, Sendable, Equatable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)
        s0 = seeder.next(); s1 = seeder.next(); s2 = seeder.next(); s3 = seeder.next()
    }

    /// Resumes a stream saved from `state`. xoshiro's all-zero state is a fixed point no seed reaches,
    /// so it is rejected as damaged.
    public init(state: [UInt64]) throws {
        guard state.count == 4 else { throw RandomStateError(message: "a RandomGenerator state is 4 words, got \(state.count)") }
        guard state.contains(where: { $0 != 0 }) else { throw RandomStateError(message: "the all-zero state is invalid") }
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
    }

    /// The four state words; `init(state:)` continues exactly where this generator stands.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in [0, 1) with 24 random bits (every float32 step in the range is reachable equally).
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextUniformDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Standard normal by the Box–Muller transform (one pair of uniforms per call; the second value is dropped
    /// so a call always consumes the same amount of the stream).
    public mutating func nextNormal() -> Float {
        // 1 - u keeps the logarithm's argument in (0, 1].
        let u1 = 1 - nextUniformDouble()
        let u2 = nextUniformDouble()
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }

    /// A uniformly random permutation of `0..<count` (Fisher–Yates).
    public mutating func permutation(_ count: Int) -> [Int] {
        var values = Array(0..<max(0, count))
        if count < 2 { return values }
        for i in stride(from: count - 1, to: 0, by: -1) {
            values.swapAt(i, nextIndex(below: i + 1))
        }
        return values
    }
}

/// A saved generator state that cannot be restored (wrong length, impossible value).
public struct RandomStateError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { "random generator state: \(message)" }
}

/// The family's shared rules: bounded integers by Lemire's multiply-shift with rejection, written out
/// here rather than taken from the standard library's `next(upperBound:)`, whose algorithm may change.
public protocol SeededRandomGenerator: RandomNumberGenerator {
    init(seed: UInt64)
}

extension SeededRandomGenerator {
    /// Uniform in `0..<bound` (bound > 0).
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
    public mutating func nextIndex(below bound: Int) -> Int {
        Int(next(below: UInt64(bound)))
    }
}
