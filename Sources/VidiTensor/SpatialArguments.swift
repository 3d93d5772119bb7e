/// Per-axis arguments of spatial operations (kernel size, stride, padding, dilation, output size).
///
/// Convolution, pooling and interpolation kernels are written once for three spatial axes; 1-D and 2-D
/// calls are lifted by prepending size-1 axes (kernel 1, stride 1, padding 0), which changes no value.
enum SpatialArguments {
    /// `values` with one entry per spatial axis (a single entry applies to every axis), each ≥ `minimum`.
    static func expand(_ values: [Int], rank: Int, name: String, op: String, minimum: Int) throws -> [Int] {
        let expanded = values.count == 1 ? [Int](repeating: values[0], count: rank) : values
        guard expanded.count == rank else {
            throw TensorError.invalidArgument(op: op, reason: "\(name) \(values) needs 1 or \(rank) values")
        }
        guard expanded.allSatisfy({ $0 >= minimum }) else {
            throw TensorError.invalidArgument(op: op, reason: "\(name) \(values) must be ≥ \(minimum)")
        }
        return expanded
    }

    /// Lifts per-axis values to three axes by prepending `fill`.
    static func lift(_ values: [Int], fill: Int) -> [Int] {
        [Int](repeating: fill, count: 3 - values.count) + values
    }

    /// Checks that `input` is float32 of shape `[N, C, spatial…]` with `spatialRank` spatial axes.
    static func requireBatchedFloat(_ input: Tensor, spatialRank: Int, op: String, layout: String) throws {
        guard input.dtype == .float32 else {
            throw TensorError.dtypeMismatch(op: op, expected: .float32, actual: input.dtype)
        }
        guard input.rank == spatialRank + 2 else {
            throw TensorError.invalidArgument(op: op, reason: "input of shape \(input.shape) is not \(layout) (rank \(spatialRank + 2))")
        }
    }
}
