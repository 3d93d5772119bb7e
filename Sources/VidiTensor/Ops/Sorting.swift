/// Sorting and top-k along an axis, with PyTorch semantics.
///
/// Order: ascending or descending with NaN treated as larger than every number (PyTorch's rule: NaNs
/// last ascending, first descending). Sorting is stable: equal elements keep their original order,
/// which is what `torch.sort(stable=True)` gives. Top-k returns its k elements in sorted order and
/// breaks ties by lower index first; PyTorch documents no tie order for `torch.topk`, so results agree
/// with PyTorch whenever the selected values are distinct. Indices are int64. Gradients flow back to
/// the positions the values came from.
extension Tensor {
    /// Values sorted along `axis` and the int64 indices they came from (`torch.sort(stable=True)`).
    public func sort(axis: Int = -1, descending: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        let ax = try Shape.normalizeAxis(axis, rank: rank, op: "sort")
        return try selectSorted(axis: ax, count: shape[ax], descending: descending, op: "sort")
    }

    /// The int64 indices that sort this tensor along `axis` (stable).
    public func argsort(axis: Int = -1, descending: Bool = false) throws -> Tensor {
        try sort(axis: axis, descending: descending).indices
    }

    /// The `k` largest (or smallest) elements along `axis`, in sorted order, with their int64 indices.
    public func topK(_ k: Int, axis: Int = -1, largest: Bool = true) throws -> (values: Tensor, indices: Tensor) {
        let ax = try Shape.normalizeAxis(axis, rank: rank, op: "topK")
        guard k >= 0, k <= shape[ax] else {
            throw TensorError.invalidArgument(op: "topK", reason: "k = \(k) is outside 0...\(shape[ax]) for axis \(axis) of shape \(shape)")
        }
        return try selectSorted(axis: ax, count: k, descending: largest, op: "topK")
    }

    /// The first `count` elements of each line along `axis` in sorted order, and their indices.
    private func selectSorted(axis: Int, count: Int, descending: Bool, op: String) throws -> (values: Tensor, indices: Tensor) {
        var outShape = shape
        outShape[axis] = count
        let source = contiguousData()
        let values = Tensor(zeroed: outShape, dtype: dtype)
        let indices = Tensor(zeroed: outShape, dtype: .int64)
        let layout = AxisLayout(shape: shape, axis: axis)
        withExtendedLifetime(source) {
            switch dtype {
            case .float32: Tensor.sortLines(source, values, indices, layout, count, descending, Float.self, isGreater: Tensor.nanLastGreater)
            case .int32: Tensor.sortLines(source, values, indices, layout, count, descending, Int32.self, isGreater: >)
            case .int64: Tensor.sortLines(source, values, indices, layout, count, descending, Int64.self, isGreater: >)
            case .bool: Tensor.sortLines(source, values, indices, layout, count, descending, UInt8.self, isGreater: >)
            }
        }
        let inputShape = shape
        let selected = try indices.toArray(Int64.self).map { Int($0) }
        let result = Autograd.record(values, op: op, inputs: [self]) { [outShape] g in
            [try Tensor.scatterKernel(into: Tensor.zeros(inputShape), axis: axis, indices: selected, indexShape: outShape, source: g, add: true)]
        }
        return (result, indices)
    }

    /// `a > b` with NaN above every number and NaNs equal to each other.
    static func nanLastGreater(_ a: Float, _ b: Float) -> Bool {
        if a.isNaN { return !b.isNaN }
        return !b.isNaN && a > b
    }

    /// Sorts each `[outer, ·, inner]` line of `source` and writes its first `count` values and indices.
    private static func sortLines<T>(_ source: Tensor, _ values: Tensor, _ indices: Tensor, _ layout: AxisLayout, _ count: Int,
                                     _ descending: Bool, _ type: T.Type, isGreater: (T, T) -> Bool) {
        let (s, v, x) = (source.typedPointer(T.self), values.typedPointer(T.self), indices.typedPointer(Int64.self))
        var line = [T]()
        line.reserveCapacity(layout.size)
        var order = [Int](repeating: 0, count: layout.size)
        for outer in 0..<layout.outer {
            for inner in 0..<layout.inner {
                let base = outer * layout.size * layout.inner + inner
                line.removeAll(keepingCapacity: true)
                for i in 0..<layout.size { line.append(s[base + i * layout.inner]) }
                for i in 0..<layout.size { order[i] = i }
                // Explicit index tie-break: stable whatever algorithm `sort` uses.
                order.sort { a, b in
                    let (va, vb) = (line[a], line[b])
                    if descending ? isGreater(va, vb) : isGreater(vb, va) { return true }
                    if descending ? isGreater(vb, va) : isGreater(va, vb) { return false }
                    return a < b
                }
                let outBase = outer * count * layout.inner + inner
                for j in 0..<count {
                    v[outBase + j * layout.inner] = line[order[j]]
                    x[outBase + j * layout.inner] = Int64(order[j])
                }
            }
        }
    }
}
