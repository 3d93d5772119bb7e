/// A trainable tensor: the one parameter type that VidiNN modules hold and optimizers update.
///
/// A class, so a module and an optimizer share the same parameter (PyTorch's reference semantics).
/// `value` is a float32 autograd leaf while `requiresGrad` is true; gradients from `backward()` accumulate
/// in it (`grad`) until `zeroGrad()`. Not `Sendable`: a model and its optimizer live in one task.
public final class Parameter {
    /// The current values. Optimizers update them in place, keeping the autograd leaf.
    public var value: Tensor

    /// `value` must be float32 when `requiresGrad` is true (only float tensors carry gradients).
    public init(_ value: Tensor, requiresGrad: Bool = true) {
        precondition(!requiresGrad || value.dtype == .float32, "a parameter that requires grad must be float32, not \(value.dtype)")
        self.value = value.detached().requiresGrad(requiresGrad)
    }

    /// Whether backward passes accumulate a gradient here (false: frozen; optimizers skip it).
    public var requiresGrad: Bool {
        get { value.requiresGrad }
        set {
            guard newValue != value.requiresGrad else { return }
            precondition(!newValue || value.dtype == .float32, "only float32 parameters can require grad")
            value = value.detached().requiresGrad(newValue)
        }
    }

    /// The gradient accumulated since the last `zeroGrad()`, nil when none flowed here.
    public var grad: Tensor? { value.grad }

    public func zeroGrad() { value.zeroGrad() }

    public var shape: [Int] { value.shape }

    /// Replaces the accumulated gradient (gradient clipping rescales it this way).
    func setGrad(_ gradient: Tensor?) {
        value.gradNode?.accumulated.withLock { $0 = gradient }
    }
}
