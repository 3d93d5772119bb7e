import Foundation
import VidiTensor

/// Golden tensors: `.npy` files under `Fixtures/golden/`, written by the generators in `Tools/goldens/`
/// from seeded inputs with NumPy or PyTorch as the reference.
public enum Golden {
    /// Absolute path of golden `name` (relative to `Fixtures/golden`, without `.npy`).
    public static func path(_ name: String) -> String {
        Fixtures.path("golden/\(name).npy")
    }

    /// Loads golden `name`, e.g. `Golden.tensor("tensor-core/add_out")` (`<f8` arrays load as float32).
    public static func tensor(_ name: String) throws -> Tensor {
        try Tensor.readNPY(path: path(name))
    }

    /// Loads several goldens under one prefix: `Golden.tensors("tensor-core/matmul", "a", "b", "out")`.
    public static func tensors(_ prefix: String, _ names: String...) throws -> [Tensor] {
        try names.map { try tensor("\(prefix)_\($0)") }
    }
}
