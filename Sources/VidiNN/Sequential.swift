import VidiTensor

/// Layers applied in order, registered as children "0", "1", … (PyTorch `nn.Sequential` key names).
public final class Sequential: Module, Layer {
    public let layers: [any Layer]

    public init(_ layers: [any Layer]) {
        self.layers = layers
        super.init()
        for (index, layer) in layers.enumerated() { register(String(index), layer) }
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try layers.reduce(input) { try $1($0) }
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
