import VidiTensor

/// `max(x, 0)` as a layer (no parameters), for `Sequential`.
public final class ReLU: Module, Layer {
    public override init() { super.init() }
    public func callAsFunction(_ input: Tensor) throws -> Tensor { try input.relu() }
}

/// GELU as a layer; `approximate: .tanh` matches `nn.GELU(approximate="tanh")`.
public final class GELU: Module, Layer {
    public let approximation: Tensor.GELUApproximation
    public init(approximate: Tensor.GELUApproximation = .none) {
        approximation = approximate
        super.init()
    }
    public func callAsFunction(_ input: Tensor) throws -> Tensor { try input.gelu(approximate: approximation) }
}

/// Passes its input through (PyTorch `nn.Identity`), e.g. a removed classifier head.
public final class Identity: Module, Layer {
    public override init() { super.init() }
    public func callAsFunction(_ input: Tensor) throws -> Tensor { input }
}
