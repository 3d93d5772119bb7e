import Foundation
import VidiTensor

/// PyTorch's weight initializers (`torch.nn.init`), drawing from a seeded `RandomGenerator` so the same
/// seed gives the same weights. The distributions match PyTorch's; the draws do not (different generator),
/// which is why golden tests load PyTorch's weights through the state dict instead.
public enum Init {
    /// `(fan_in, fan_out)` of a weight shaped `[out, in, *kernel]` (`[out, in]` for Linear).
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        precondition(shape.count >= 2, "fan computation needs a weight of rank >= 2, got \(shape)")
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// `U(-bound, bound)`.
    public static func uniform(_ shape: [Int], bound: Float, generator: inout RandomGenerator) -> Tensor {
        Tensor.uniform(shape, low: -bound, high: bound, generator: &generator)
    }

    /// `kaiming_uniform_(w, a)` with fan_in and leaky-ReLU gain. `a = √5` is PyTorch's default for
    /// Linear and Conv weights, which gives a bound of `1/√fan_in`.
    public static func kaimingUniform(_ shape: [Int], a: Float = Float(5).squareRoot(), generator: inout RandomGenerator) -> Tensor {
        let gain = (2 / (1 + a * a)).squareRoot()
        let bound = gain * (3 / Float(max(1, fans(shape).fanIn))).squareRoot()
        return uniform(shape, bound: bound, generator: &generator)
    }

    /// `kaiming_normal_(w, mode="fan_out", nonlinearity="relu")`, torchvision's ResNet conv init.
    public static func kaimingNormalFanOut(_ shape: [Int], generator: inout RandomGenerator) -> Tensor {
        let std = (2 / Float(max(1, fans(shape).fanOut))).squareRoot()
        return Tensor.normal(shape, std: std, generator: &generator)
    }

    /// `xavier_uniform_(w)`: bound `√(6 / (fan_in + fan_out))`.
    public static func xavierUniform(_ shape: [Int], generator: inout RandomGenerator) -> Tensor {
        let (fanIn, fanOut) = fans(shape)
        return uniform(shape, bound: (6 / Float(max(1, fanIn + fanOut))).squareRoot(), generator: &generator)
    }

    /// PyTorch's default bias init for Linear and Conv: `U(-1/√fan_in, 1/√fan_in)`.
    public static func fanInBias(_ count: Int, fanIn: Int, generator: inout RandomGenerator) -> Tensor {
        uniform([count], bound: fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0, generator: &generator)
    }

    /// `N(0, std²)`.
    public static func normal(_ shape: [Int], std: Float, generator: inout RandomGenerator) -> Tensor {
        Tensor.normal(shape, std: std, generator: &generator)
    }
}
