extension Tensor {
    /// Inverted dropout: zeroes each element with probability `probability` and scales the rest by
    /// `1 / (1 - probability)`, so the expectation is unchanged. The mask draws one uniform per element, in
    /// row-major order, from `generator` (same seed, same mask); probabilities 0 and 1 draw nothing.
    /// Identity when `training` is false.
    public func dropout(probability: Float, training: Bool = true, generator: inout RandomGenerator) throws -> Tensor {
        try requireFloat("dropout")
        guard probability >= 0, probability <= 1 else {
            throw TensorError.invalidArgument(op: "dropout", reason: "probability \(probability) is outside [0, 1]")
        }
        guard training, probability > 0 else { return self }
        let mask = Tensor(zeroed: shape, dtype: .float32)
        if probability < 1 {
            let keep = 1 / (1 - probability)
            let pointer = mask.typedPointer(Float.self)
            for i in 0..<mask.elementCount {
                pointer[i] = generator.nextUniform() < probability ? 0 : keep
            }
        }
        return try self * mask
    }
}
