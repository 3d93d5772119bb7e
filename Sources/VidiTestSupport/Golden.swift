import Foundation
import VidiTensor

/// Golden tensors: `.npy` files under `Fixtures/golden/`, written by the generators in `Tools/goldens/`
/// from seeded inputs with NumPy or PyTorch as the reference.
public enum Golden {
    public enum Error: Swift.Error, CustomStringConvertible {
        case unsupported(name: String, descr: String)
        case fortranOrder(name: String)

        public var description: String {
            switch self {
            case .unsupported(let name, let descr): return "golden '\(name)': dtype '\(descr)' is not supported"
            case .fortranOrder(let name): return "golden '\(name)': Fortran-order arrays are not supported"
            }
        }
    }

    /// Absolute path of golden `name` (relative to `Fixtures/golden`, without `.npy`).
    public static func path(_ name: String) -> String {
        Fixtures.path("golden/\(name).npy")
    }

    /// Loads golden `name`, e.g. `Golden.tensor("tensor-core/add_out")`. `<f8` arrays load as float32.
    public static func tensor(_ name: String) throws -> Tensor {
        let array = try NPYFormat.read(path: path(name))
        guard !array.fortranOrder else { throw Error.fortranOrder(name: name) }
        let count = array.elementCount
        return try array.data.withUnsafeBytes { raw -> Tensor in
            switch array.descr {
            case "<f4": return try Tensor(Array(raw.bindMemory(to: Float.self).prefix(count)), shape: array.shape)
            case "<f8": return try Tensor(raw.bindMemory(to: Double.self).prefix(count).map { Float($0) }, shape: array.shape)
            case "<i4": return try Tensor(Array(raw.bindMemory(to: Int32.self).prefix(count)), shape: array.shape)
            case "<i8": return try Tensor(Array(raw.bindMemory(to: Int64.self).prefix(count)), shape: array.shape)
            case "|b1": return try Tensor(raw.prefix(count).map { $0 != 0 }, shape: array.shape)
            default: throw Error.unsupported(name: name, descr: array.descr)
            }
        }
    }

    /// Loads several goldens under one prefix: `Golden.tensors("tensor-core/matmul", "a", "b", "out")`.
    public static func tensors(_ prefix: String, _ names: String...) throws -> [Tensor] {
        try names.map { try tensor("\(prefix)_\($0)") }
    }
}
