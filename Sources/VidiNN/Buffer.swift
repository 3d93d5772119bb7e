import VidiTensor

/// A non-trainable tensor that is part of a module's state (BatchNorm's running statistics): saved and
/// loaded with the state dict, never given to an optimizer.
public final class Buffer {
    public var value: Tensor

    public init(_ value: Tensor) {
        self.value = value.detached()
    }

    public var shape: [Int] { value.shape }
}
