/// An elementwise function of one value; kernels are generic over it so each op compiles to its own loop.
@usableFromInline
protocol UnaryKernel {
    associatedtype In
    associatedtype Out
    func callAsFunction(_ x: In) -> Out
}

/// An elementwise function of two values of the same type.
@usableFromInline
protocol BinaryKernel {
    associatedtype In
    associatedtype Out
    func callAsFunction(_ a: In, _ b: In) -> Out
}

extension CPUKernels {
    /// `out[i] = op(x[i])`, out contiguous of `x`'s shape.
    static func map<K: UnaryKernel>(_ x: Tensor, outDType: DType, _ op: K) -> Tensor {
        mapRows(x, outDType: outDType) { (o: UnsafeMutablePointer<K.Out>, a: UnsafeMutablePointer<K.In>, sa, n) in
            if sa == 1 {
                for i in 0..<n { o[i] = op(a[i]) }
            } else {
                for i in 0..<n { o[i] = op(a[i * sa]) }
            }
        }
    }

    /// A fresh contiguous tensor of `x`'s shape filled row by row, in parallel: `row(out, in, inStride, n)`
    /// writes `n` contiguous outputs from `n` inputs `inStride` elements apart.
    @inline(__always)
    static func mapRows<In, Out>(_ x: Tensor, outDType: DType,
                                 _ row: (UnsafeMutablePointer<Out>, UnsafeMutablePointer<In>, Int, Int) -> Void) -> Tensor {
        let out = Tensor(uninitialized: x.shape, dtype: outDType)
        let plan = StridedPlan(shape: x.shape, strides: [out.strides, x.strides])
        let po = out.typedPointer(Out.self)
        let px = x.typedPointer(In.self)
        withExtendedLifetime(x) {
            Parallel.forEachChunk(count: out.elementCount) { _, range in
                plan.forEachRow(in: range) { offsets, n in row(po + offsets[0], px + offsets[1], plan.inner[1], n) }
            }
        }
        return out
    }

    /// `out[i] = op(a[i], b[i])` with both inputs broadcast to `shape`.
    static func zip<K: BinaryKernel>(_ a: Tensor, _ b: Tensor, shape: [Int], outDType: DType, _ op: K) -> Tensor {
        let out = Tensor(uninitialized: shape, dtype: outDType)
        let plan = StridedPlan(shape: shape, strides: [out.strides, a.broadcastStrides(to: shape), b.broadcastStrides(to: shape)])
        let po = out.typedPointer(K.Out.self)
        let pa = a.typedPointer(K.In.self), pb = b.typedPointer(K.In.self)
        withExtendedLifetime((a, b)) {
            Parallel.forEachChunk(count: out.elementCount) { _, range in
                plan.forEachRow(in: range) { offsets, n in
                    let o = po + offsets[0], x = pa + offsets[1], y = pb + offsets[2]
                    let sx = plan.inner[1], sy = plan.inner[2]
                    // Unit-stride and scalar-operand loops vectorise; the general one handles the rest.
                    if sx == 1 && sy == 1 {
                        for i in 0..<n { o[i] = op(x[i], y[i]) }
                    } else if sx == 1 && sy == 0 {
                        let v = y[0]
                        for i in 0..<n { o[i] = op(x[i], v) }
                    } else if sx == 0 && sy == 1 {
                        let v = x[0]
                        for i in 0..<n { o[i] = op(v, y[i]) }
                    } else {
                        for i in 0..<n { o[i] = op(x[i * sx], y[i * sy]) }
                    }
                }
            }
        }
        return out
    }

    /// `out[i] = cond[i] ? a[i] : b[i]`, all broadcast to `shape`; `a` and `b` share a dtype.
    static func select(_ cond: Tensor, _ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
        switch a.dtype.byteSize {
        case 1: return select(UInt8.self, cond, a, b, shape: shape)
        case 4: return select(UInt32.self, cond, a, b, shape: shape)
        default: return select(UInt64.self, cond, a, b, shape: shape)
        }
    }

    private static func select<W>(_ width: W.Type, _ cond: Tensor, _ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
        let out = Tensor(uninitialized: shape, dtype: a.dtype)
        let plan = StridedPlan(shape: shape, strides: [out.strides, cond.broadcastStrides(to: shape),
                                                       a.broadcastStrides(to: shape), b.broadcastStrides(to: shape)])
        let po = out.typedPointer(W.self), pc = cond.typedPointer(Bool.self)
        let pa = a.typedPointer(W.self), pb = b.typedPointer(W.self)
        withExtendedLifetime((cond, a, b)) {
            Parallel.forEachChunk(count: out.elementCount) { _, range in
                plan.forEachRow(in: range) { offsets, n in
                    let o = po + offsets[0], c = pc + offsets[1], x = pa + offsets[2], y = pb + offsets[3]
                    let sc = plan.inner[1], sx = plan.inner[2], sy = plan.inner[3]
                    for i in 0..<n { o[i] = c[i * sc] ? x[i * sx] : y[i * sy] }
                }
            }
        }
        return out
    }
}
