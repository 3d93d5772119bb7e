import VidiTensor

/// Linear layers with an activation between consecutive ones (none after the last), registered as
/// `layers.0`, `layers.1`, … — the head layout of DETR-style and STCN-style models.
public final class MLP: Module, Layer {
    public let layers: ModuleList<Linear>
    public let activation: TransformerActivation

    /// `MLP(input: 6, dimensions: [8, 5])` is `Linear(6, 8) → ReLU → Linear(8, 5)`.
    public init(input: Int, dimensions: [Int], activation: TransformerActivation = .relu, generator: inout RandomGenerator) {
        precondition(!dimensions.isEmpty, "an MLP needs at least one layer")
        let inputs = [input] + dimensions.dropLast()
        var linears: [Linear] = []
        for (i, o) in zip(inputs, dimensions) { linears.append(Linear(i, o, generator: &generator)) }
        layers = ModuleList(linears)
        self.activation = activation
        super.init()
        register("layers", layers)
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        var x = input
        for (index, layer) in layers.modules.enumerated() {
            x = try layer(x)
            if index < layers.count - 1 { x = try activation.apply(x) }
        }
        return x
    }
}
