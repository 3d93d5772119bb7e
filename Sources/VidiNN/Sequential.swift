import VidiTensor

/// Layers applied in order, registered as children "0", "1", … (PyTorch `nn.Sequential` key names).
public final class Sequential: Module, Layer {
    public let layers: [any Layer]

    public init(_ layers: [any Layer]) {
        self.layers = layers
        super.init()
        for (index, layer) in layers.enumerated() { register(String(index), layer) }
    }

    /// Runs the layers in order; a BatchNorm followed by a ReLU runs as one fused step (one pass in
    /// evaluation mode, the same values).
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try run(input, upTo: layers.count)
    }

    /// The layers, then `+ residual` and ReLU (a residual block's tail): fused into the last layer's
    /// pass when it is a BatchNorm.
    public func callAsFunction(_ input: Tensor, adding residual: Tensor, relu: Bool) throws -> Tensor {
        guard let norm = layers.last as? BatchNormBase else {
            let y = try self(input) + residual
            return relu ? try y.relu() : y
        }
        return try norm(run(input, upTo: layers.count - 1), adding: residual, relu: relu)
    }

    private func run(_ input: Tensor, upTo end: Int) throws -> Tensor {
        var x = input
        var index = 0
        while index < end {
            if let norm = layers[index] as? BatchNormBase, index + 1 < end, layers[index + 1] is ReLU {
                x = try norm(consume x, adding: nil, relu: true)
                index += 2
            } else {
                x = try layers[index](x)
                index += 1
            }
        }
        return x
    }
}

/// A list of modules registered as "0", "1", … without a forward of its own (PyTorch `nn.ModuleList`).
public final class ModuleList<Element: Module>: Module {
    public let modules: [Element]

    public init(_ modules: [Element]) {
        self.modules = modules
        super.init()
        for (index, module) in modules.enumerated() { register(String(index), module) }
    }

    public var count: Int { modules.count }
    public subscript(index: Int) -> Element { modules[index] }
}
