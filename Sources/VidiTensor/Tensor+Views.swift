/// Views share storage with their source; only `reshaped` may copy (when the layout cannot be viewed)
/// and `contiguous()` copies when needed. Each records its gradient.
extension Tensor {
    /// Same elements, new shape (one dimension may be -1). A view when the strides allow, else a copy.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        let target = try resolveShape(newShape)
        let out: Tensor
        if let viewStrides = Tensor.viewStrides(shape: shape, strides: strides, newShape: target) {
            out = Tensor(unchecked: storage, dtype: dtype, shape: target, strides: viewStrides, offset: offset)
        } else {
            var copy = CPUKernels.copyContiguous(self)
            copy.shape = target
            copy.strides = Shape.contiguousStrides(target)
            out = copy
        }
        let original = shape
        return Autograd.record(out, op: "reshape", inputs: [self]) { g in [try g.reshaped(original)] }
    }

    /// Collapses axes `start...end` into one.
    public func flattened(from start: Int = 0, to end: Int = -1) throws -> Tensor {
        if rank == 0 { return try reshaped([1]) }
        let s = try Shape.normalizeAxis(start, rank: rank, op: "flatten")
        let e = try Shape.normalizeAxis(end, rank: rank, op: "flatten")
        guard s <= e else { throw TensorError.invalidArgument(op: "flatten", reason: "start axis \(start) is after end axis \(end)") }
        let merged = shape[s...e].reduce(1, *)
        return try reshaped(Array(shape[..<s]) + [merged] + Array(shape[(e + 1)...]))
    }

    private func resolveShape(_ newShape: [Int]) throws -> [Int] {
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        guard inferred.count <= 1, newShape.allSatisfy({ $0 >= -1 }) else {
            throw TensorError.invalidArgument(op: "reshape", reason: "bad target shape \(newShape)")
        }
        var target = newShape
        if let axis = inferred.first {
            let known = Shape.checkedElementCount(newShape.filter { $0 != -1 }) ?? 0
            guard known > 0, elementCount % known == 0 else {
                throw TensorError.shapeMismatch(op: "reshape", lhs: shape, rhs: newShape)
            }
            target[axis] = elementCount / known
        }
        guard Shape.checkedElementCount(target) == elementCount else {
            throw TensorError.shapeMismatch(op: "reshape", lhs: shape, rhs: newShape)
        }
        return target
    }

    /// Strides that view (`shape`, `strides`) as `newShape` without copying, or nil (PyTorch's computeStride).
    static func viewStrides(shape: [Int], strides: [Int], newShape: [Int]) -> [Int]? {
        if shape.isEmpty || shape.contains(0) { return Shape.contiguousStrides(newShape) }
        var newStrides = [Int](repeating: 0, count: newShape.count)
        var viewAxis = newShape.count - 1
        var chunkBaseStride = strides[strides.count - 1]
        var tensorCount = 1, viewCount = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            tensorCount *= shape[axis]
            // A chunk ends where the memory layout is not contiguous with the next outer axis.
            if axis == 0 || (shape[axis - 1] != 1 && strides[axis - 1] != tensorCount * chunkBaseStride) {
                while viewAxis >= 0, viewCount < tensorCount || newShape[viewAxis] == 1 {
                    newStrides[viewAxis] = viewCount * chunkBaseStride
                    viewCount *= newShape[viewAxis]
                    viewAxis -= 1
                }
                if viewCount != tensorCount { return nil }
                if axis > 0 {
                    chunkBaseStride = strides[axis - 1]
                    tensorCount = 1
                    viewCount = 1
                }
            }
        }
        return viewAxis == -1 ? newStrides : nil
    }

    /// Reorders axes: output axis i is input axis `axes[i]`.
    public func permuted(_ axes: [Int]) throws -> Tensor {
        let normalized = try axes.map { try Shape.normalizeAxis($0, rank: rank, op: "permute") }
        guard normalized.count == rank, Set(normalized).count == rank else {
            throw TensorError.invalidArgument(op: "permute", reason: "\(axes) is not a permutation of \(rank) axes")
        }
        let out = Tensor(unchecked: storage, dtype: dtype, shape: normalized.map { shape[$0] },
                         strides: normalized.map { strides[$0] }, offset: offset)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, axis) in normalized.enumerated() { inverse[axis] = i }
        return Autograd.record(out, op: "permute", inputs: [self]) { [inverse] g in [try g.permuted(inverse)] }
    }

    /// Swaps two axes.
    public func transposed(_ a: Int, _ b: Int) throws -> Tensor {
        var axes = Array(0..<rank)
        let x = try Shape.normalizeAxis(a, rank: rank, op: "transpose")
        let y = try Shape.normalizeAxis(b, rank: rank, op: "transpose")
        axes.swapAt(x, y)
        return try permuted(axes)
    }

    /// Swaps the last two axes (matrix transpose; batch axes stay).
    public func transposed() throws -> Tensor {
        guard rank >= 2 else { throw TensorError.invalidArgument(op: "transpose", reason: "needs rank ≥ 2, got shape \(shape)") }
        return try transposed(-2, -1)
    }

    /// Python-style slice `start:end:step` along `axis` (negative indices count from the end; bounds are clamped).
    public func sliced(axis: Int, start: Int? = nil, end: Int? = nil, step: Int = 1) throws -> Tensor {
        let ax = try Shape.normalizeAxis(axis, rank: rank, op: "slice")
        guard step > 0 else { throw TensorError.invalidArgument(op: "slice", reason: "step \(step) must be positive") }
        let size = shape[ax]
        func clampIndex(_ i: Int) -> Int { Swift.min(Swift.max(i < 0 ? i + size : i, 0), size) }
        let lo = clampIndex(start ?? 0)
        let hi = Swift.max(clampIndex(end ?? size), lo)
        let count = hi > lo ? (hi - lo - 1) / step + 1 : 0
        return try restrided(op: "slice", axis: ax, start: lo, count: count, step: step)
    }

    /// `length` elements from `start` along `axis`; throws when out of bounds.
    public func narrowed(axis: Int, start: Int, length: Int) throws -> Tensor {
        let ax = try Shape.normalizeAxis(axis, rank: rank, op: "narrow")
        let s = start < 0 ? start + shape[ax] : start
        guard s >= 0, s <= shape[ax], length >= 0, length <= shape[ax] - s else {
            throw TensorError.invalidArgument(op: "narrow", reason: "start \(start), length \(length) outside axis \(axis) of size \(shape[ax]) (shape \(shape))")
        }
        return try restrided(op: "narrow", axis: ax, start: s, count: length, step: 1)
    }

    /// Index `index` of `axis`, with that axis removed (`x[:, i]`).
    public func selecting(axis: Int, index: Int) throws -> Tensor {
        let ax = try Shape.normalizeAxis(axis, rank: rank, op: "select")
        let i = index < 0 ? index + shape[ax] : index
        guard i >= 0, i < shape[ax] else {
            throw TensorError.invalidArgument(op: "select", reason: "index \(index) outside axis \(axis) of size \(shape[ax]) (shape \(shape))")
        }
        return try restrided(op: "select", axis: ax, start: i, count: 1, step: 1).squeezed(axis: ax)
    }

    private func restrided(op: String, axis: Int, start: Int, count: Int, step: Int) throws -> Tensor {
        var newShape = shape, newStrides = strides
        newShape[axis] = count
        newStrides[axis] = strides[axis] * step
        let out = Tensor(unchecked: storage, dtype: dtype, shape: newShape, strides: newStrides,
                         offset: count > 0 ? offset + start * strides[axis] : offset)
        return Autograd.recordRegion(out, op: op, input: self) { whole in
            try whole.sliced(axis: axis, start: start, end: start + count * step, step: step)
        }
    }

    /// Zeros of `shape` with `values` written into the region `region` selects (backward of view ops).
    static func scatteredIntoZeros(_ values: Tensor, shape: [Int], region: (Tensor) throws -> Tensor) throws -> Tensor {
        let zeros = Tensor.zeros(shape, dtype: values.dtype)
        let target = try region(zeros.detached())
        guard target.shape == values.shape else { throw TensorError.shapeMismatch(op: "scatter", lhs: target.shape, rhs: values.shape) }
        // `zeros` is fresh storage owned only here, so writing through the view is safe.
        CPUKernels.copyElements(from: values, into: target)
        return zeros
    }

    /// Broadcasts to `target` without copying (stride 0 on stretched axes); -1 keeps a dimension.
    public func expanded(to target: [Int]) throws -> Tensor {
        guard target.count >= rank else { throw TensorError.shapeMismatch(op: "expand", lhs: shape, rhs: target) }
        let shift = target.count - rank
        var newShape = target, newStrides = [Int](repeating: 0, count: target.count)
        for axis in 0..<target.count {
            let want = target[axis]
            if axis < shift {
                guard want >= 0 else { throw TensorError.shapeMismatch(op: "expand", lhs: shape, rhs: target) }
                continue
            }
            let have = shape[axis - shift]
            if want == -1 || want == have {
                newShape[axis] = have
                newStrides[axis] = strides[axis - shift]
            } else if have == 1, want >= 0 {
                newStrides[axis] = 0
            } else {
                throw TensorError.shapeMismatch(op: "expand", lhs: shape, rhs: target)
            }
        }
        let out = Tensor(unchecked: storage, dtype: dtype, shape: newShape, strides: newStrides, offset: offset)
        let original = shape
        return Autograd.record(out, op: "expand", inputs: [self]) { g in [try g.sum(toShape: original)] }
    }

    /// Removes axis `axis`, which must have size 1.
    public func squeezed(axis: Int) throws -> Tensor {
        let ax = try Shape.normalizeAxis(axis, rank: rank, op: "squeeze")
        guard shape[ax] == 1 else {
            throw TensorError.invalidArgument(op: "squeeze", reason: "axis \(axis) of shape \(shape) has size \(shape[ax]), not 1")
        }
        var newShape = shape, newStrides = strides
        newShape.remove(at: ax)
        newStrides.remove(at: ax)
        return viewRecordingReshape(op: "squeeze", shape: newShape, strides: newStrides)
    }

    /// Removes every size-1 axis.
    public func squeezed() -> Tensor {
        let keep = shape.indices.filter { shape[$0] != 1 }
        return viewRecordingReshape(op: "squeeze", shape: keep.map { shape[$0] }, strides: keep.map { strides[$0] })
    }

    /// Inserts a size-1 axis at `axis` (in `-(rank+1)...rank`).
    public func unsqueezed(axis: Int) throws -> Tensor {
        let ax = try Shape.normalizeAxis(axis, rank: rank + 1, op: "unsqueeze")
        var newShape = shape, newStrides = strides
        newShape.insert(1, at: ax)
        newStrides.insert(ax < rank ? strides[ax] * shape[ax] : 1, at: ax)
        return viewRecordingReshape(op: "unsqueeze", shape: newShape, strides: newStrides)
    }

    private func viewRecordingReshape(op: String, shape newShape: [Int], strides newStrides: [Int]) -> Tensor {
        let out = Tensor(unchecked: storage, dtype: dtype, shape: newShape, strides: newStrides, offset: offset)
        let original = shape
        return Autograd.record(out, op: op, inputs: [self]) { g in [try g.reshaped(original)] }
    }

    /// Row-major contiguous data (self when already contiguous).
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        let out = CPUKernels.copyContiguous(self)
        return Autograd.record(out, op: "contiguous", inputs: [self]) { g in [g] }
    }
}
