/// Concatenation, stacking, splitting and chunking with PyTorch semantics (`torch.cat`, `stack`,
/// `split`, `chunk`). Splits return views that share storage; gradients flow through all of them.
extension Tensor {
    /// Joins `tensors` along an existing `axis` (`torch.cat`). All must share dtype, rank and every
    /// other dimension.
    public static func concatenate(_ tensors: [Tensor], axis: Int) throws -> Tensor {
        guard let first = tensors.first else { throw TensorError.invalidArgument(op: "concatenate", reason: "no tensors to join") }
        let ax = try Shape.normalizeAxis(axis, rank: first.rank, op: "concatenate")
        for tensor in tensors {
            guard tensor.dtype == first.dtype else { throw TensorError.dtypeMismatch(op: "concatenate", expected: first.dtype, actual: tensor.dtype) }
            guard tensor.rank == first.rank,
                  tensor.shape.indices.allSatisfy({ $0 == ax || tensor.shape[$0] == first.shape[$0] }) else {
                throw TensorError.shapeMismatch(op: "concatenate", lhs: first.shape, rhs: tensor.shape)
            }
        }
        let sizes = tensors.map { $0.shape[ax] }
        var outShape = first.shape
        outShape[ax] = sizes.reduce(0, +)
        let out = Tensor(zeroed: outShape, dtype: first.dtype)
        let layout = AxisLayout(shape: outShape, axis: ax)
        let width = first.dtype.byteSize
        let sources = tensors.map { $0.contiguousData() }
        withExtendedLifetime(sources) {
            var destination = out.rawPointer
            for o in 0..<layout.outer {
                for (source, size) in zip(sources, sizes) {
                    let bytes = size * layout.inner * width
                    destination.copyMemory(from: source.rawPointer + o * bytes, byteCount: bytes)
                    destination += bytes
                }
            }
        }
        var starts: [Int] = []
        var running = 0
        for size in sizes {
            starts.append(running)
            running += size
        }
        return Autograd.record(out, op: "concatenate", inputs: tensors) { [starts] g in
            try zip(starts, sizes).map { start, size in try g.narrowed(axis: ax, start: start, length: size) }
        }
    }

    /// Joins same-shaped `tensors` along a new `axis` (`torch.stack`), which may be `-(rank + 1)...rank`.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
        guard let first = tensors.first else { throw TensorError.invalidArgument(op: "stack", reason: "no tensors to stack") }
        for tensor in tensors where tensor.shape != first.shape {
            throw TensorError.shapeMismatch(op: "stack", lhs: first.shape, rhs: tensor.shape)
        }
        let ax = try Shape.normalizeAxis(axis, rank: first.rank + 1, op: "stack")
        return try concatenate(tensors.map { try $0.unsqueezed(axis: ax) }, axis: ax)
    }

    /// Views of consecutive pieces of the given `sizes` along `axis`; the sizes must add up to the axis.
    public func split(sizes: [Int], axis: Int = 0) throws -> [Tensor] {
        let ax = try Shape.normalizeAxis(axis, rank: rank, op: "split")
        guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == shape[ax] else {
            throw TensorError.invalidArgument(op: "split", reason: "sizes \(sizes) do not add up to axis \(axis) of shape \(shape)")
        }
        var start = 0
        return try sizes.map { size in
            defer { start += size }
            return try narrowed(axis: ax, start: start, length: size)
        }
    }

    /// Views of `size` elements each along `axis`, the last one smaller if needed (`torch.split(t, size)`).
    public func split(size: Int, axis: Int = 0) throws -> [Tensor] {
        let ax = try Shape.normalizeAxis(axis, rank: rank, op: "split")
        guard size > 0 else { throw TensorError.invalidArgument(op: "split", reason: "split size \(size) must be positive") }
        let length = shape[ax]
        guard length > 0 else { return [self] }
        let sizes = stride(from: 0, to: length, by: size).map { Swift.min(size, length - $0) }
        return try split(sizes: sizes, axis: ax)
    }

    /// At most `chunks` views along `axis`, each `ceil(length / chunks)` long except a shorter last one
    /// (`torch.chunk`: fewer chunks come back when the length does not need them all).
    public func chunk(_ chunks: Int, axis: Int = 0) throws -> [Tensor] {
        let ax = try Shape.normalizeAxis(axis, rank: rank, op: "chunk")
        guard chunks > 0 else { throw TensorError.invalidArgument(op: "chunk", reason: "chunk count \(chunks) must be positive") }
        let length = shape[ax]
        guard length > 0 else { return try Array(repeating: narrowed(axis: ax, start: 0, length: 0), count: chunks) }
        return try split(size: (length + chunks - 1) / chunks, axis: ax)
    }
}
