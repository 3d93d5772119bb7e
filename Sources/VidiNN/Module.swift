import VidiTensor

/// Base class of every layer: a tree of named parameters, buffers and child modules, with PyTorch's names.
///
/// A subclass stores its parameters and children in ordinary properties and registers each once in its
/// initializer, after `super.init()`, under the name PyTorch uses (`weight`, `bn1`, `layer3`):
///
/// ```swift
/// final class Affine: Module {
///     let weight: Parameter
///     init(features: Int) {
///         weight = Parameter(Tensor.ones([features]))
///         super.init()
///         register("weight", weight)
///     }
/// }
/// ```
///
/// Registration order is the order of `namedParameters()`, `stateDict()` and the optimizer's parameter list.
/// Modules are classes so that a child shared by two parents is one object, as in PyTorch.
open class Module {
    private var parameterEntries: [(name: String, parameter: Parameter)] = []
    private var bufferEntries: [(name: String, buffer: Buffer)] = []
    private var childEntries: [(name: String, module: Module)] = []

    /// Training mode (the default) or evaluation mode; changes Dropout and BatchNorm.
    public private(set) var isTraining = true

    public init() {}

    // MARK: - Registration

    /// Registers a parameter under `name` (a single path component, unique within this module).
    public func register(_ name: String, _ parameter: Parameter) {
        checkNew(name)
        parameterEntries.append((name, parameter))
    }

    /// Registers a buffer under `name`.
    public func register(_ name: String, _ buffer: Buffer) {
        checkNew(name)
        bufferEntries.append((name, buffer))
    }

    /// Registers a child module under `name`; its entries appear as `name.<their names>`.
    public func register(_ name: String, _ child: Module) {
        checkNew(name)
        childEntries.append((name, child))
    }

    private func checkNew(_ name: String) {
        precondition(!name.isEmpty && !name.contains("."), "module member name '\(name)' must be one non-empty path component")
        precondition(!parameterEntries.contains { $0.name == name } && !bufferEntries.contains { $0.name == name }
                     && !childEntries.contains { $0.name == name }, "module member '\(name)' registered twice")
    }

    // MARK: - Traversal

    /// Direct children in registration order.
    public var children: [(name: String, module: Module)] { childEntries }

    /// This module and every descendant with its dotted path ("" for this module), depth first.
    public func namedModules(prefix: String = "") -> [(name: String, module: Module)] {
        var result: [(String, Module)] = [(prefix, self)]
        var seen: Set<ObjectIdentifier> = [ObjectIdentifier(self)]
        for (name, child) in childEntries where seen.insert(ObjectIdentifier(child)).inserted {
            result += child.namedModules(prefix: Module.join(prefix, name))
        }
        return result
    }

    /// Every parameter with its dotted path (`layer1.0.conv1.weight`); a shared parameter appears once.
    public func namedParameters() -> [(name: String, parameter: Parameter)] {
        var result: [(String, Parameter)] = []
        var seen: Set<ObjectIdentifier> = []
        for (path, module) in namedModules() {
            for (name, parameter) in module.parameterEntries where seen.insert(ObjectIdentifier(parameter)).inserted {
                result.append((Module.join(path, name), parameter))
            }
        }
        return result
    }

    /// Every buffer with its dotted path (`bn1.running_mean`).
    public func namedBuffers() -> [(name: String, buffer: Buffer)] {
        var result: [(String, Buffer)] = []
        var seen: Set<ObjectIdentifier> = []
        for (path, module) in namedModules() {
            for (name, buffer) in module.bufferEntries where seen.insert(ObjectIdentifier(buffer)).inserted {
                result.append((Module.join(path, name), buffer))
            }
        }
        return result
    }

    /// Every parameter in registration order (what an optimizer updates).
    public var parameters: [Parameter] { namedParameters().map(\.parameter) }

    /// Number of scalar parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.elementCount } }

    static func join(_ prefix: String, _ name: String) -> String {
        prefix.isEmpty ? name : prefix + "." + name
    }

    // MARK: - Modes and gradients

    /// Sets training mode (`true`) or evaluation mode on this module and every descendant.
    public func train(_ mode: Bool = true) {
        for (_, module) in namedModules() { module.isTraining = mode }
    }

    /// Evaluation mode: Dropout passes through, BatchNorm uses its running statistics.
    public func eval() { train(false) }

    /// Clears every parameter's accumulated gradient.
    public func zeroGrad() {
        for parameter in parameters { parameter.zeroGrad() }
    }

    /// Freezes (`false`) or unfreezes every parameter.
    public func setRequiresGrad(_ flag: Bool) {
        for parameter in parameters { parameter.requiresGrad = flag }
    }
}

/// A module with one input and one output tensor, so it can sit in a `Sequential`.
public protocol Layer: Module {
    func callAsFunction(_ input: Tensor) throws -> Tensor
}
