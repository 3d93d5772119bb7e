/// Tensor <-> `.npz`, through the `.npy` conversions of `Tensor(npy:)`.
extension NPZFile {
    /// The array stored under `name` as a tensor.
    public func tensor(named name: String) throws(TensorFileError) -> Tensor {
        do {
            return try Tensor(npy: try array(named: name), name: name)
        } catch {
            throw error.at(path: path)
        }
    }

    /// Every array as a tensor, by name.
    public func tensors() throws(TensorFileError) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for name in names { result[name] = try tensor(named: name) }
        return result
    }
}

extension NPZWriter {
    /// Writes tensors as an archive `numpy.load` opens, in the given order.
    public static func write(tensors: [(name: String, tensor: Tensor)], to path: String, compressed: Bool = false) throws {
        try write(tensors.map { ($0.name, $0.tensor.npyArray) }, to: path, compressed: compressed)
    }
}
