/// How a reduction sees its input: kept axes first, reduced axes last, as contiguous `[rows, length]`.
struct ReductionLayout {
    let axes: [Int]
    let rows: Int
    let length: Int
    /// Output shape with reduced axes kept as size 1.
    let keepShape: [Int]
    /// Output shape with reduced axes removed.
    let dropShape: [Int]
    /// Input axes in layout order (kept..., reduced...).
    let permutation: [Int]
    /// The permuted input, contiguous.
    let data: Tensor

    func outputShape(keepDims: Bool) -> [Int] { keepDims ? keepShape : dropShape }
}

extension Tensor {
    func reductionLayout(axes: [Int]?, op: String) throws -> ReductionLayout {
        let reduced = try Shape.normalizeAxes(axes, rank: rank, op: op)
        let kept = (0..<rank).filter { !reduced.contains($0) }
        let permutation = kept + reduced
        let data = try detached().permuted(permutation).contiguousData()
        var keepShape = shape
        for axis in reduced { keepShape[axis] = 1 }
        return ReductionLayout(axes: reduced, rows: kept.map { shape[$0] }.reduce(1, *),
                               length: reduced.map { shape[$0] }.reduce(1, *),
                               keepShape: keepShape, dropShape: kept.map { shape[$0] },
                               permutation: permutation, data: data)
    }

    /// Spreads a reduction's output gradient back over the input's shape.
    static func broadcastGradient(_ g: Tensor, keepShape: [Int], to shape: [Int]) throws -> Tensor {
        try g.reshaped(keepShape).expanded(to: shape)
    }

    /// Sum over `axes` (nil: all). Float sums accumulate in Double; integer and bool sums give int64.
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        if let columns = try sumOverLeadingAxes(axes, keepDims: keepDims) { return columns }
        let layout = try reductionLayout(axes: axes, op: "sum")
        let outShape = layout.outputShape(keepDims: keepDims)
        let out: Tensor
        switch dtype {
        case .float32:
            let sums = CPUKernels.sumRows(layout.data.typedPointer(Float.self), rows: layout.rows, length: layout.length)
            out = try Tensor(sums.map { Float($0) }, shape: outShape)
        case .int32:
            out = try Tensor(CPUKernels.sumRows(layout.data.typedPointer(Int32.self), rows: layout.rows, length: layout.length), shape: outShape)
        case .int64:
            out = try Tensor(CPUKernels.sumRows(layout.data.typedPointer(Int64.self), rows: layout.rows, length: layout.length), shape: outShape)
        case .bool:
            out = try Tensor(CPUKernels.sumRows(layout.data.typedPointer(Bool.self), rows: layout.rows, length: layout.length), shape: outShape)
        }
        let (keepShape, inputShape) = (layout.keepShape, shape)
        return Autograd.record(out, op: "sum", inputs: [self]) { g in
            [try Tensor.broadcastGradient(g, keepShape: keepShape, to: inputShape)]
        }
    }

    public func sum(axis: Int, keepDims: Bool = false) throws -> Tensor { try sum(axes: [axis], keepDims: keepDims) }

    /// A float32 sum of a contiguous tensor over its leading axes only (a bias gradient: `[N, L, E]` → `[E]`)
    /// as column sums read in place, without the transposed copy `reductionLayout` makes; nil for other sums.
    /// Each sum is the same Double accumulation of the same values, rounded to Float once.
    private func sumOverLeadingAxes(_ axes: [Int]?, keepDims: Bool) throws -> Tensor? {
        guard dtype == .float32, isContiguous, rank >= 2 else { return nil }
        let reduced = try Shape.normalizeAxes(axes, rank: rank, op: "sum")
        guard !reduced.isEmpty, reduced.count < rank, reduced == Array(0..<reduced.count) else { return nil }
        let rows = shape.prefix(reduced.count).reduce(1, *), kept = Array(shape.dropFirst(reduced.count))
        let sums = withExtendedLifetime(self) {
            CPUKernels.sumColumns(typedPointer(Float.self), rows: rows, columns: kept.reduce(1, *))
        }
        let keepShape = [Int](repeating: 1, count: reduced.count) + kept, inputShape = shape
        let out = try Tensor(sums.map { Float($0) }, shape: keepDims ? keepShape : kept)
        return Autograd.record(out, op: "sum", inputs: [self]) { g in
            [try Tensor.broadcastGradient(g, keepShape: keepShape, to: inputShape)]
        }
    }

    /// Sums broadcast axes away so the result has `target`'s shape (the gradient of broadcasting to this shape).
    public func sum(toShape target: [Int]) throws -> Tensor {
        if shape == target { return self }
        guard (try? Shape.broadcast(target, shape, op: "sum(toShape:)")) == shape else {
            throw TensorError.shapeMismatch(op: "sum(toShape:)", lhs: shape, rhs: target)
        }
        let shift = rank - target.count
        let axes = (0..<rank).filter { $0 < shift || (target[$0 - shift] == 1 && shape[$0] != 1) }
        return try sum(axes: axes, keepDims: true).reshaped(target)
    }

    /// Arithmetic mean over `axes` (float32).
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        try requireFloat("mean")
        let count = try Shape.normalizeAxes(axes, rank: rank, op: "mean").map { shape[$0] }.reduce(1, *)
        return try sum(axes: axes, keepDims: keepDims) / Float(count)
    }

    public func mean(axis: Int, keepDims: Bool = false) throws -> Tensor { try mean(axes: [axis], keepDims: keepDims) }

    /// Variance over `axes`; `unbiased` divides by N − 1 (Bessel), else by N. Two-pass in Double.
    public func variance(axes: [Int]? = nil, unbiased: Bool = true, keepDims: Bool = false) throws -> Tensor {
        try requireFloat("var")
        let layout = try reductionLayout(axes: axes, op: "var")
        let pointer = layout.data.typedPointer(Float.self)
        let n = layout.length
        let means = CPUKernels.sumRows(pointer, rows: layout.rows, length: n).map { $0 / Double(n) }
        let deviations = CPUKernels.squaredDeviationRows(pointer, rows: layout.rows, length: n, means: means)
        let divisor = Double(n - (unbiased ? 1 : 0))
        let out = try Tensor(deviations.map { Float($0 / divisor) }, shape: layout.outputShape(keepDims: keepDims))
        let meanKept = try Tensor(means.map { Float($0) }, shape: layout.keepShape)
        let x = detached(), keepShape = layout.keepShape
        return Autograd.record(out, op: "var", inputs: [self]) { g in
            let spread = try Tensor.broadcastGradient(g, keepShape: keepShape, to: x.shape)
            return [try spread * (x - meanKept) * Float(2 / divisor)]
        }
    }

    public func variance(axis: Int, unbiased: Bool = true, keepDims: Bool = false) throws -> Tensor {
        try variance(axes: [axis], unbiased: unbiased, keepDims: keepDims)
    }

    public func std(axis: Int, unbiased: Bool = true, keepDims: Bool = false) throws -> Tensor {
        try std(axes: [axis], unbiased: unbiased, keepDims: keepDims)
    }

    public func logsumexp(axis: Int, keepDims: Bool = false) throws -> Tensor { try logsumexp(axes: [axis], keepDims: keepDims) }

    public func prod(axis: Int, keepDims: Bool = false) throws -> Tensor { try prod(axes: [axis], keepDims: keepDims) }

    /// Standard deviation: `sqrt(variance)`.
    public func std(axes: [Int]? = nil, unbiased: Bool = true, keepDims: Bool = false) throws -> Tensor {
        try variance(axes: axes, unbiased: unbiased, keepDims: keepDims).sqrt()
    }

    /// log Σ exp over `axes`, computed stably around the maximum.
    public func logsumexp(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        try requireFloat("logsumexp")
        let peak = try max(axes: axes, keepDims: true).detached()
        // An all -inf (or empty) slice has no finite peak: shift by 0 instead so the result is -inf, not NaN.
        let shift = try Tensor.where(peak.abs().eq(.infinity), Tensor(0), peak)
        let total = try (self - shift).exp().sum(axes: axes, keepDims: true).log() + shift
        if keepDims { return total }
        let reduced = try Shape.normalizeAxes(axes, rank: rank, op: "logsumexp")
        return try total.reshaped((0..<rank).filter { !reduced.contains($0) }.map { shape[$0] })
    }

    /// Product over `axes`. Float products are formed in Double; the gradient is exact with zeros.
    public func prod(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        let layout = try reductionLayout(axes: axes, op: "prod")
        let outShape = layout.outputShape(keepDims: keepDims)
        switch dtype {
        case .int32:
            return try Tensor(CPUKernels.prodRows(layout.data.typedPointer(Int32.self), rows: layout.rows, length: layout.length), shape: outShape)
        case .int64:
            return try Tensor(CPUKernels.prodRows(layout.data.typedPointer(Int64.self), rows: layout.rows, length: layout.length), shape: outShape)
        case .bool:
            return try Tensor(CPUKernels.prodRows(layout.data.typedPointer(Bool.self), rows: layout.rows, length: layout.length), shape: outShape)
        case .float32:
            break
        }
        let products = CPUKernels.prodRows(layout.data.typedPointer(Float.self), rows: layout.rows, length: layout.length)
        let out = try Tensor(products.map { Float($0) }, shape: outShape)
        let keepShape = layout.keepShape, inputShape = shape
        return Autograd.record(out, op: "prod", inputs: [self]) { g in
            let others = Tensor.zeros([layout.rows * layout.length])
            CPUKernels.productOfOthers(layout.data.typedPointer(Float.self), into: others.typedPointer(Float.self),
                                       rows: layout.rows, length: layout.length)
            var inverse = [Int](repeating: 0, count: layout.permutation.count)
            for (i, axis) in layout.permutation.enumerated() { inverse[axis] = i }
            let permutedShape = layout.permutation.map { inputShape[$0] }
            let othersInInputLayout = try others.reshaped(permutedShape).permuted(inverse)
            return [try Tensor.broadcastGradient(g, keepShape: keepShape, to: inputShape) * othersInInputLayout]
        }
    }

    /// Largest value over `axes` (NaN if any is NaN). Ties share the gradient equally (like `torch.amax`).
    public func max(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        try extremum(axes: axes, keepDims: keepDims, greatest: true, op: "max")
    }

    /// Smallest value over `axes`.
    public func min(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        try extremum(axes: axes, keepDims: keepDims, greatest: false, op: "min")
    }

    public func max(axis: Int, keepDims: Bool = false) throws -> Tensor { try max(axes: [axis], keepDims: keepDims) }
    public func min(axis: Int, keepDims: Bool = false) throws -> Tensor { try min(axes: [axis], keepDims: keepDims) }

    /// Index (int64) of the first largest value along `axis`, or in the flattened tensor when `axis` is nil.
    public func argmax(axis: Int? = nil, keepDims: Bool = false) throws -> Tensor {
        try argExtremum(axis: axis, keepDims: keepDims, greatest: true, op: "argmax")
    }

    /// Index (int64) of the first smallest value.
    public func argmin(axis: Int? = nil, keepDims: Bool = false) throws -> Tensor {
        try argExtremum(axis: axis, keepDims: keepDims, greatest: false, op: "argmin")
    }

    private func extremumRows(_ layout: ReductionLayout, greatest: Bool, op: String) throws -> (values: Tensor, indices: [Int]) {
        guard layout.length > 0 || layout.rows == 0 else {
            throw TensorError.invalidArgument(op: op, reason: "cannot reduce an empty axis of shape \(shape)")
        }
        let outShape = layout.dropShape
        switch dtype {
        case .float32:
            let r = CPUKernels.extremumRows(layout.data.typedPointer(Float.self), rows: layout.rows, length: layout.length, greatest: greatest)
            return (try Tensor(r.map(\.value), shape: outShape), r.map(\.index))
        case .int32:
            let r = CPUKernels.extremumRows(layout.data.typedPointer(Int32.self), rows: layout.rows, length: layout.length, greatest: greatest)
            return (try Tensor(r.map(\.value), shape: outShape), r.map(\.index))
        case .int64:
            let r = CPUKernels.extremumRows(layout.data.typedPointer(Int64.self), rows: layout.rows, length: layout.length, greatest: greatest)
            return (try Tensor(r.map(\.value), shape: outShape), r.map(\.index))
        case .bool:
            throw TensorError.dtypeMismatch(op: op, expected: .float32, actual: .bool)
        }
    }

    private func extremum(axes: [Int]?, keepDims: Bool, greatest: Bool, op: String) throws -> Tensor {
        let layout = try reductionLayout(axes: axes, op: op)
        let values = try extremumRows(layout, greatest: greatest, op: op).values
        let keptValues = try values.reshaped(layout.keepShape)
        let out = keepDims ? keptValues : values
        let x = detached(), keepShape = layout.keepShape, reduced = layout.axes
        return Autograd.record(out, op: op, inputs: [self]) { g in
            let hits = try x.eq(keptValues).to(.float32)
            let share = try hits / hits.sum(axes: reduced, keepDims: true)
            return [try Tensor.broadcastGradient(g, keepShape: keepShape, to: x.shape) * share]
        }
    }

    private func argExtremum(axis: Int?, keepDims: Bool, greatest: Bool, op: String) throws -> Tensor {
        let source = axis == nil ? try detached().reshaped([elementCount]) : detached()
        let layout = try source.reductionLayout(axes: [axis ?? 0], op: op)
        let indices = try source.extremumRows(layout, greatest: greatest, op: op).indices
        let shape: [Int]
        if axis == nil {
            shape = keepDims ? [Int](repeating: 1, count: rank) : []
        } else {
            shape = layout.outputShape(keepDims: keepDims)
        }
        return try Tensor(indices.map { Int64($0) }, shape: shape)
    }
}
