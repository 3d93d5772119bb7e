import Foundation

/// A seeded pseudo-random generator: xoshiro256** (Blackman & Vigna, 2018), state seeded from one 64-bit
/// seed through SplitMix64 as its authors recommend. Same seed, same sequence, on every platform — every
/// random choice in Vidi (initialisation, augmentation, sampling) takes one of these.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// The four xoshiro256** state words, for checkpoints: `RandomGenerator(state: g.state)` continues
    /// exactly where `g` is.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    /// Restores a generator from `state`'s four words. All-zero state is xoshiro's one fixed point
    /// (it would return zeros forever) and is rejected, as is any other word count.
    public init(state: [UInt64]) throws {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else {
            throw TensorError.invalidArgument(op: "RandomGenerator(state:)", reason: "need 4 words, not all zero; got \(state)")
        }
        s0 = state[0]; s1 = state[1]; s2 = state[2]; s3 = state[3]
    }

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

    /// Standard normal by the Box–Muller transform (one pair of uniforms per call; the second value is dropped
    /// so a call always consumes the same amount of the stream).
    public mutating func nextNormal() -> Float {
        // 1 - u keeps the logarithm's argument in (0, 1].
        let u1 = 1 - (Double(next() >> 11) * 0x1p-53)
        let u2 = Double(next() >> 11) * 0x1p-53
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }

    /// Uniform integer in `0..<bound` without modulo bias (Lemire's method).
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        return Int(next(upperBound: UInt64(bound)))
    }

    /// A uniformly random permutation of `0..<count` (Fisher–Yates).
    public mutating func permutation(_ count: Int) -> [Int] {
        var values = Array(0..<count)
        if count < 2 { return values }
        for i in stride(from: count - 1, to: 0, by: -1) {
            values.swapAt(i, nextIndex(below: i + 1))
        }
        return values
    }
}


extension Tensor {
    /// Float32 values uniform in `[low, high)`, drawn in row-major order from `generator`.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, generator: inout RandomGenerator) -> Tensor {
        let out = Tensor.zeros(shape)
        let pointer = out.typedPointer(Float.self)
        for i in 0..<out.elementCount { pointer[i] = low + (high - low) * generator.nextUniform() }
        return out
    }

    /// Float32 values from N(`mean`, `std`²), drawn in row-major order from `generator`.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, generator: inout RandomGenerator) -> Tensor {
        let out = Tensor.zeros(shape)
        let pointer = out.typedPointer(Float.self)
        for i in 0..<out.elementCount { pointer[i] = mean + std * generator.nextNormal() }
        return out
    }

    /// A random permutation of `0..<count` as int64.
    public static func randomPermutation(_ count: Int, generator: inout RandomGenerator) -> Tensor {
        let out = Tensor.zeros([count], dtype: .int64)
        let pointer = out.typedPointer(Int64.self)
        for (i, v) in generator.permutation(count).enumerated() { pointer[i] = Int64(v) }
        return out
    }
}
