import VidiTensor

// TEMPORARY: mirrors the `Parameter` that the tensor-serial branch adds to VidiTensor (Optim/Parameter.swift);
// deleted when that branch is merged so there is one parameter type.
public final class Parameter {
    public var value: Tensor

    public init(_ value: Tensor, requiresGrad: Bool = true) {
        precondition(!requiresGrad || value.dtype == .float32, "a parameter that requires grad must be float32, not \(value.dtype)")
        self.value = value.detached().requiresGrad(requiresGrad)
    }

    public var requiresGrad: Bool {
        get { value.requiresGrad }
        set {
            guard newValue != value.requiresGrad else { return }
            precondition(!newValue || value.dtype == .float32, "only float32 parameters can require grad")
            value = value.detached().requiresGrad(newValue)
        }
    }

    public var grad: Tensor? { value.grad }
    public func zeroGrad() { value.zeroGrad() }
    public var shape: [Int] { value.shape }
}
