extension Tensor {
    /// Running sum along `axis` (`torch.cumsum`). Float input gives float32, accumulated in Double per
    /// line as PyTorch's CPU kernel does; int32, int64 and bool input give int64 (PyTorch's promotion).
    public func cumulativeSum(axis: Int) throws -> Tensor {
        let ax = try Shape.normalizeAxis(axis, rank: rank, op: "cumulativeSum")
        let layout = AxisLayout(shape: shape, axis: ax)
        let source = contiguousData()
        let out: Tensor
        switch dtype {
        case .float32:
            out = Tensor.runningSum(source, layout, reverse: false)
        case .int32, .int64, .bool:
            let wide = source.to(.int64)
            out = Tensor(zeroed: shape, dtype: .int64)
            let (s, o) = (wide.typedPointer(Int64.self), out.typedPointer(Int64.self))
            withExtendedLifetime(wide) {
                for outer in 0..<layout.outer {
                    for inner in 0..<layout.inner {
                        var total: Int64 = 0
                        for i in 0..<layout.size {
                            let at = (outer * layout.size + i) * layout.inner + inner
                            total &+= s[at]
                            o[at] = total
                        }
                    }
                }
            }
        }
        return Autograd.record(out, op: "cumulativeSum", inputs: [self]) { g in
            // Each input feeds every later output: the gradient is the reversed running sum.
            [Tensor.runningSum(g.contiguousData(), layout, reverse: true)]
        }
    }

    /// Float running sum of a contiguous tensor along the layout's axis, from the start or the end.
    static func runningSum(_ source: Tensor, _ layout: AxisLayout, reverse: Bool) -> Tensor {
        let out = Tensor(zeroed: source.shape, dtype: .float32)
        let (s, o) = (source.typedPointer(Float.self), out.typedPointer(Float.self))
        withExtendedLifetime(source) {
            for outer in 0..<layout.outer {
                for inner in 0..<layout.inner {
                    var total = 0.0
                    for step in 0..<layout.size {
                        let i = reverse ? layout.size - 1 - step : step
                        let at = (outer * layout.size + i) * layout.inner + inner
                        total += Double(s[at])
                        o[at] = Float(total)
                    }
                }
            }
        }
        return out
    }
}
