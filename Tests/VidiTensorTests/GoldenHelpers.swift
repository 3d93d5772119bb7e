import VidiTensor
import VidiTestSupport

/// Golden tensors of this suite, written by `Tools/goldens/tensor_core.py` (NumPy / PyTorch reference).
func golden(_ name: String) throws -> Tensor {
    try Golden.tensor("tensor-core/\(name)")
}
