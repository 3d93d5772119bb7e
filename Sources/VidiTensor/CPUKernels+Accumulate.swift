extension CPUKernels {
    /// `destination[i] += source[i]` for float32 tensors of one shape; `destination` is a view onto storage
    /// the caller owns exclusively (a gradient being accumulated). Each element is one addition, so the
    /// result does not depend on how the work is split.
    static func addElements(from source: Tensor, into destination: Tensor) {
        precondition(source.shape == destination.shape && source.dtype == .float32 && destination.dtype == .float32,
                     "addElements: layouts differ")
        forEachRowPair(Float.self, from: source, into: destination) { o, s, so, ss, n in
            if so == 1 && ss == 1 {
                for i in 0..<n { o[i] += s[i] }
            } else {
                for i in 0..<n { o[i * so] += s[i * ss] }
            }
        }
    }
}
