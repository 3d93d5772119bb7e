extension CPUKernels {
    /// `destination[i] += source[i]` for float32 tensors of one shape; `destination` is a view onto storage
    /// the caller owns exclusively (a gradient being accumulated). Each element is one addition, so the
    /// result does not depend on how the work is split.
    static func addElements(from source: Tensor, into destination: Tensor) {
        precondition(source.shape == destination.shape && source.dtype == .float32 && destination.dtype == .float32,
                     "addElements: layouts differ")
        let plan = StridedPlan(shape: source.shape, strides: [destination.strides, source.strides])
        let dst = destination.typedPointer(Float.self)
        let src = source.typedPointer(Float.self)
        withExtendedLifetime((source, destination)) {
            Parallel.forEachChunk(count: source.elementCount) { _, range in
                plan.forEachRow(in: range) { offsets, n in
                    let o = dst + offsets[0], s = src + offsets[1]
                    let so = plan.inner[0], ss = plan.inner[1]
                    if so == 1 && ss == 1 {
                        for i in 0..<n { o[i] += s[i] }
                    } else {
                        for i in 0..<n { o[i * so] += s[i * ss] }
                    }
                }
            }
        }
    }
}
