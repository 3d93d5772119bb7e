import Foundation
import VidiTensor

/// Fixed sinusoidal position encodings ("Attention Is All You Need"): `pe[p, 2i] = sin(p / 10000^(2i/d))`,
/// `pe[p, 2i+1] = cos(…)`. No state, so nothing appears in the state dict.
public final class SinusoidalPositionalEncoding: Module, Layer {
    public let dimension: Int

    public init(dimension: Int) {
        precondition(dimension > 0, "positional encoding dimension must be positive")
        self.dimension = dimension
        super.init()
    }

    /// The `[length, dimension]` table (computed in Double, stored as Float).
    public static func table(length: Int, dimension: Int) -> Tensor {
        Tensor(unsafeUninitializedShape: [length, dimension]) { values in
            for position in 0..<length {
                for i in stride(from: 0, to: dimension, by: 2) {
                    let angle = Double(position) * Foundation.exp(Double(i) * -Foundation.log(10000.0) / Double(dimension))
                    values[position * dimension + i] = Float(Foundation.sin(angle))
                    if i + 1 < dimension { values[position * dimension + i + 1] = Float(Foundation.cos(angle)) }
                }
            }
        }
    }

    /// Adds the encoding to `[N, L, D]` (or `[L, D]`) input.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        guard input.rank >= 2, input.shape[input.rank - 1] == dimension else {
            throw TensorError.invalidArgument(op: "SinusoidalPositionalEncoding(\(dimension))", reason: "input \(input.shape) does not end in [L, \(dimension)]")
        }
        return try input + SinusoidalPositionalEncoding.table(length: input.shape[input.rank - 2], dimension: dimension)
    }
}

/// Learned absolute position embeddings: a `weight` `[maxLength, dimension]` parameter, row `p` added at position `p`.
public final class LearnedPositionalEncoding: Module, Layer {
    public let weight: Parameter
    public let maxLength: Int

    /// Initialised `N(0, 0.02²)` (BERT/ViT practice).
    public init(maxLength: Int, dimension: Int, generator: inout RandomGenerator) {
        self.maxLength = maxLength
        weight = Parameter(Init.normal([maxLength, dimension], std: 0.02, generator: &generator))
        super.init()
        register("weight", weight)
    }

    /// Adds the first `L` rows to `[N, L, D]` (or `[L, D]`) input.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        let dimension = weight.shape[1]
        guard input.rank >= 2, input.shape[input.rank - 1] == dimension, input.shape[input.rank - 2] <= maxLength else {
            throw TensorError.invalidArgument(op: "LearnedPositionalEncoding(\(maxLength), \(dimension))", reason: "input \(input.shape) is not [..., L ≤ \(maxLength), \(dimension)]")
        }
        return try input + weight.value.narrowed(axis: 0, start: 0, length: input.shape[input.rank - 2])
    }
}
