/// Gather / scatter / index-select / masked-select / one-hot with PyTorch semantics. Index tensors may
/// be int64 or int32; every index is range-checked (an out-of-range index is an error naming it, never a
/// crash). Gradients flow to the float input(s), never to indices.
extension Tensor {
    /// `out[i][j][k] = self[i][index[i][j][k]][k]` for `axis` 1 (`torch.gather`). `indices` has this
    /// tensor's rank and, on every other axis, a size no larger than this tensor's.
    public func gather(axis: Int, indices: Tensor) throws -> Tensor {
        let ax = try Shape.normalizeAxis(axis, rank: rank, op: "gather")
        try checkIndexShape(indices.shape, axis: ax, op: "gather")
        let idx = try indices.indexValues(op: "gather", bound: shape[ax], axis: ax, inputShape: shape)
        let out = Tensor.gatherKernel(self, axis: ax, indices: idx, indexShape: indices.shape)
        let (inputShape, indexShape) = (shape, indices.shape)
        return Autograd.record(out, op: "gather", inputs: [self]) { g in
            [try Tensor.scatterKernel(into: Tensor.zeros(inputShape), axis: ax, indices: idx, indexShape: indexShape, source: g, add: true)]
        }
    }

    /// A copy of this tensor with `source` values written at `indices` along `axis` (`Tensor.scatter`):
    /// `out[i][index[i][j][k]][k] = source[i][j][k]` for `axis` 1. `source` may be larger than `indices`
    /// (only the index-shaped corner is used). Where indices repeat, the last write in row-major order wins
    /// (PyTorch leaves that case unspecified).
    public func scatter(axis: Int, indices: Tensor, source: Tensor) throws -> Tensor {
        try scatter(axis: axis, indices: indices, source: source, add: false, op: "scatter")
    }

    /// A copy of this tensor with `source` values added at `indices` along `axis` (`Tensor.scatter_add`);
    /// repeated indices accumulate. Not for bool tensors.
    public func scatterAdd(axis: Int, indices: Tensor, source: Tensor) throws -> Tensor {
        try scatter(axis: axis, indices: indices, source: source, add: true, op: "scatterAdd")
    }

    private func scatter(axis: Int, indices: Tensor, source: Tensor, add: Bool, op: String) throws -> Tensor {
        let ax = try Shape.normalizeAxis(axis, rank: rank, op: op)
        guard source.dtype == dtype else { throw TensorError.dtypeMismatch(op: op, expected: dtype, actual: source.dtype) }
        guard !(add && dtype == .bool) else { throw TensorError.invalidArgument(op: op, reason: "cannot add bool tensors") }
        try checkIndexShape(indices.shape, axis: ax, op: op)
        guard source.rank == rank, zip(indices.shape, source.shape).allSatisfy({ $0 <= $1 }) else {
            throw TensorError.invalidArgument(op: op, reason: "index shape \(indices.shape) must fit inside source shape \(source.shape)")
        }
        let idx = try indices.indexValues(op: op, bound: shape[ax], axis: ax, inputShape: shape)
        let indexShape = indices.shape
        let out = try Tensor.scatterKernel(into: self, axis: ax, indices: idx, indexShape: indexShape, source: source, add: add)
        let sourceShape = source.shape
        return Autograd.record(out, op: op, inputs: [self, source]) { g in
            // Replaced positions take no gradient from the original values; added ones pass it through.
            let gradSelf = add ? g : try Tensor.scatterKernel(into: g, axis: ax, indices: idx, indexShape: indexShape,
                                                               source: Tensor.zeros(indexShape), add: false)
            var gradSource = Tensor.gatherKernel(g, axis: ax, indices: idx, indexShape: indexShape)
            if indexShape != sourceShape {
                gradSource = try Tensor.scatteredIntoZeros(gradSource, shape: sourceShape) { zeros in
                    var region = zeros
                    for (axis, size) in indexShape.enumerated() { region = try region.narrowed(axis: axis, start: 0, length: size) }
                    return region
                }
            }
            return [gradSelf, gradSource]
        }
    }

    /// The slices at `indices` (1-D) along `axis`, in that order (`torch.index_select`).
    public func indexSelect(axis: Int, indices: Tensor) throws -> Tensor {
        let ax = try Shape.normalizeAxis(axis, rank: rank, op: "indexSelect")
        guard indices.rank <= 1 else {
            throw TensorError.invalidArgument(op: "indexSelect", reason: "indices must be 1-D, got shape \(indices.shape)")
        }
        let idx = try indices.indexValues(op: "indexSelect", bound: shape[ax], axis: ax, inputShape: shape)
        let out = Tensor.selectRows(self, axis: ax, rows: idx, fill: nil)
        let inputShape = shape
        return Autograd.record(out, op: "indexSelect", inputs: [self]) { g in
            [try Tensor.indexAdd(g, axis: ax, indices: idx, intoShape: inputShape)]
        }
    }

    /// The elements where `mask` (bool, broadcast with this tensor) is true, as a 1-D tensor in row-major
    /// order (`torch.masked_select`).
    public func maskedSelect(_ mask: Tensor) throws -> Tensor {
        guard mask.dtype == .bool else { throw TensorError.dtypeMismatch(op: "maskedSelect", expected: .bool, actual: mask.dtype) }
        let common = try Shape.broadcast(shape, mask.shape, op: "maskedSelect")
        let values = try detached().expanded(to: common).contiguousData()
        let flags = try mask.expanded(to: common).toArray(Bool.self)
        let positions = flags.indices.filter { flags[$0] }
        let out = Tensor(zeroed: [positions.count], dtype: dtype)
        let width = dtype.byteSize
        withExtendedLifetime(values) {
            for (j, i) in positions.enumerated() {
                (out.rawPointer + j * width).copyMemory(from: values.rawPointer + i * width, byteCount: width)
            }
        }
        let inputShape = shape
        return Autograd.record(out, op: "maskedSelect", inputs: [self]) { g in
            let spread = Tensor.zeros(common)
            let gradient = try g.toArray(Float.self)
            let target = spread.typedPointer(Float.self)
            for (j, i) in positions.enumerated() { target[i] = gradient[j] }
            return [try spread.sum(toShape: inputShape)]
        }
    }

    /// One-hot encoding of an integer tensor (`torch.nn.functional.one_hot`): int64, shape + [classes].
    /// `classes` nil means one more than the largest label.
    public func oneHot(classes: Int? = nil) throws -> Tensor {
        let labels: [Int]
        switch dtype {
        case .int64: labels = try toArray(Int64.self).map { Int($0) }
        case .int32: labels = try toArray(Int32.self).map { Int($0) }
        default: throw TensorError.dtypeMismatch(op: "oneHot", expected: .int64, actual: dtype)
        }
        let count = classes ?? ((labels.max() ?? -1) + 1)
        guard count >= 0 else { throw TensorError.invalidArgument(op: "oneHot", reason: "class count \(count) is negative") }
        if let bad = labels.first(where: { $0 < 0 || $0 >= count }) {
            throw TensorError.invalidArgument(op: "oneHot", reason: "label \(bad) is outside 0..<\(count)")
        }
        let out = Tensor(zeroed: shape + [count], dtype: .int64)
        let target = out.typedPointer(Int64.self)
        for (i, label) in labels.enumerated() { target[i * count + label] = 1 }
        return out
    }

    /// `indices` must have this tensor's rank and fit inside it on every axis but `axis`.
    func checkIndexShape(_ indexShape: [Int], axis: Int, op: String) throws {
        guard indexShape.count == rank,
              indexShape.indices.allSatisfy({ $0 == axis || indexShape[$0] <= shape[$0] }) else {
            throw TensorError.invalidArgument(op: op, reason: "index shape \(indexShape) must have rank \(rank) and fit inside \(shape) except on axis \(axis)")
        }
    }

    /// `torch.gather` without validation or autograd; `indices` are row-major over `indexShape`.
    static func gatherKernel(_ input: Tensor, axis: Int, indices: [Int], indexShape: [Int]) -> Tensor {
        let source = input.contiguousData()
        let out = Tensor(zeroed: indexShape, dtype: input.dtype)
        var sourceStrides = Shape.contiguousStrides(input.shape)
        let axisStride = sourceStrides[axis]
        sourceStrides[axis] = 0
        let outStrides = Shape.contiguousStrides(indexShape)
        func move<W>(_: W.Type) {
            let (s, o) = (source.typedPointer(W.self), out.typedPointer(W.self))
            forEachPosition(shape: indexShape, stridesA: sourceStrides, stridesB: outStrides) { linear, a, b in
                o[b] = s[a + indices[linear] * axisStride]
            }
        }
        withExtendedLifetime(source) {
            switch ElementWidth(input.dtype) {
            case .one: move(UInt8.self)
            case .four: move(UInt32.self)
            case .eight: move(UInt64.self)
            }
        }
        return out
    }

    /// A copy of `base` with `source` (walked over `indexShape`) written or added at `indices` along `axis`.
    static func scatterKernel(into base: Tensor, axis: Int, indices: [Int], indexShape: [Int], source: Tensor, add: Bool) throws -> Tensor {
        let out = CPUKernels.copyContiguous(base)
        let values = source.contiguousData()
        var outStrides = Shape.contiguousStrides(base.shape)
        let axisStride = outStrides[axis]
        outStrides[axis] = 0
        let sourceStrides = Shape.contiguousStrides(source.shape)
        func write<W>(_: W.Type, _ combine: (inout W, W) -> Void) {
            let (s, o) = (values.typedPointer(W.self), out.typedPointer(W.self))
            forEachPosition(shape: indexShape, stridesA: outStrides, stridesB: sourceStrides) { linear, a, b in
                combine(&o[a + indices[linear] * axisStride], s[b])
            }
        }
        withExtendedLifetime(values) {
            switch (add, base.dtype) {
            case (true, .float32): write(Float.self) { $0 += $1 }
            case (true, .int32): write(Int32.self) { $0 &+= $1 }
            case (true, .int64): write(Int64.self) { $0 &+= $1 }
            case (_, _):
                switch ElementWidth(base.dtype) {
                case .one: write(UInt8.self) { $0 = $1 }
                case .four: write(UInt32.self) { $0 = $1 }
                case .eight: write(UInt64.self) { $0 = $1 }
                }
            }
        }
        return out
    }

    /// Rows (slices along `axis`) of `input` in the order `rows` lists them; a negative row is filled with
    /// `fill` (a one-element tensor of the input's dtype). Index-select and padding are this copy.
    static func selectRows(_ input: Tensor, axis: Int, rows: [Int], fill: Tensor?) -> Tensor {
        var outShape = input.shape
        outShape[axis] = rows.count
        let source = input.contiguousData()
        let out = Tensor(zeroed: outShape, dtype: input.dtype)
        let layout = AxisLayout(shape: input.shape, axis: axis)
        let width = input.dtype.byteSize
        let rowBytes = layout.inner * width
        // One constant row, built once and copied wherever padding needs it.
        var constantRow = [UInt8](repeating: 0, count: rows.contains { $0 < 0 } ? rowBytes : 0)
        if let fill, !constantRow.isEmpty {
            let value = fill.contiguousData()
            withExtendedLifetime(value) {
                constantRow.withUnsafeMutableBytes { row in
                    guard let base = row.baseAddress else { return }
                    for k in 0..<layout.inner { (base + k * width).copyMemory(from: value.rawPointer, byteCount: width) }
                }
            }
        }
        withExtendedLifetime(source) {
            constantRow.withUnsafeBytes { constant in
                for o in 0..<layout.outer {
                    for (j, i) in rows.enumerated() {
                        let target = out.rawPointer + (o * rows.count + j) * rowBytes
                        if i >= 0 {
                            target.copyMemory(from: source.rawPointer + (o * layout.size + i) * rowBytes, byteCount: rowBytes)
                        } else if let base = constant.baseAddress {
                            target.copyMemory(from: base, byteCount: rowBytes)
                        }
                    }
                }
            }
        }
        return out
    }

    /// Zeros of `shape` with the rows of float `g` added at `indices` along `axis`, skipping negative
    /// indices (backward of `selectRows`: index-select and padding).
    static func indexAdd(_ g: Tensor, axis: Int, indices: [Int], intoShape shape: [Int]) throws -> Tensor {
        let source = g.contiguousData()
        let out = Tensor.zeros(shape)
        let layout = AxisLayout(shape: shape, axis: axis)
        let (s, o) = (source.typedPointer(Float.self), out.typedPointer(Float.self))
        withExtendedLifetime(source) {
            for outer in 0..<layout.outer {
                for (j, i) in indices.enumerated() where i >= 0 {
                    let from = s + (outer * indices.count + j) * layout.inner
                    let to = o + (outer * layout.size + i) * layout.inner
                    for k in 0..<layout.inner { to[k] += from[k] }
                }
            }
        }
        return out
    }
}
