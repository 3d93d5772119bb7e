// Tensors drawn from the seeded `RandomGenerator` (VidiRandom, re-exported by VidiTensor).
@_exported import VidiRandom

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
