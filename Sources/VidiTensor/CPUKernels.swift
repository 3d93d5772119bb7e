/// CPU implementations of tensor operations. Operation definitions (`Tensor+*.swift`) validate arguments,
/// call these kernels for the values and record autograd; a GPU backend would add a sibling of this enum.
///
/// Kernels allocate their outputs contiguous, read inputs through their strides, and split work with
/// `Parallel` in fixed-size chunks, so results do not depend on the thread count.
@usableFromInline
enum CPUKernels {
    /// Copies `source`'s elements into the layout of `destination`, a view (same shape) onto storage the
    /// caller owns exclusively (a fresh output).
    static func copyElements(from source: Tensor, into destination: Tensor) {
        precondition(source.shape == destination.shape && source.dtype == destination.dtype, "copyElements: layouts differ")
        switch source.dtype.byteSize {
        case 1: copyElements(UInt8.self, from: source, into: destination)
        case 4: copyElements(UInt32.self, from: source, into: destination)
        default: copyElements(UInt64.self, from: source, into: destination)
        }
    }

    private static func copyElements<W>(_ width: W.Type, from source: Tensor, into destination: Tensor) {
        forEachRowPair(W.self, from: source, into: destination) { o, s, so, ss, n in
            if so == 1 && ss == 1 {
                o.update(from: s, count: n)
            } else {
                for i in 0..<n { o[i * so] = s[i * ss] }
            }
        }
    }

    /// The row driver of element-by-element updates of `destination` (a view onto storage the caller owns
    /// exclusively) from `source` of the same shape: `row(dst, src, dstStride, srcStride, count)` per run,
    /// split over the cores in fixed chunks.
    static func forEachRowPair<W>(_ width: W.Type, from source: Tensor, into destination: Tensor,
                                  _ row: (UnsafeMutablePointer<W>, UnsafeMutablePointer<W>, Int, Int, Int) -> Void) {
        let plan = StridedPlan(shape: source.shape, strides: [destination.strides, source.strides])
        let dst = destination.typedPointer(W.self)
        let src = source.typedPointer(W.self)
        withExtendedLifetime((source, destination)) {
            Parallel.forEachChunk(count: source.elementCount) { _, range in
                plan.forEachRow(in: range) { offsets, n in
                    row(dst + offsets[0], src + offsets[1], plan.inner[0], plan.inner[1], n)
                }
            }
        }
    }

    /// A contiguous copy of `tensor` in fresh storage (no autograd node).
    @usableFromInline
    static func copyContiguous(_ tensor: Tensor) -> Tensor {
        let out = Tensor(uninitialized: tensor.shape, dtype: tensor.dtype)
        copyElements(from: tensor, into: out)
        return out
    }
}
