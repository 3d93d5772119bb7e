/// Where each output index of a resize reads along one axis: `weight0 · x[index0] + weight1 · x[index1]`.
/// Source coordinates follow PyTorch's `upsample_*` kernels, computed in Float as they are, so `floor`
/// lands on the same input index.
struct InterpolationAxis: Sendable {
    var index0: [Int]
    var index1: [Int]
    var weight0: [Float]
    var weight1: [Float]

    var outputs: Int { index0.count }

    /// The identity axis that 1-D and 2-D resizes are lifted with.
    static let unit = InterpolationAxis(index0: [0], index1: [0], weight0: [1], weight1: [0])

    /// Input-per-output step: `1 / scale` when the caller gave a scale factor, else `input / output`.
    private static func step(input: Int, output: Int, scale: Double?) -> Float {
        if let scale, scale > 0 { return Float(1.0 / scale) }
        return Float(input) / Float(output)
    }

    /// `mode: nearest`: `min(⌊o · step⌋, input − 1)`.
    static func nearest(input: Int, output: Int, scale: Double?) -> InterpolationAxis {
        let s = step(input: input, output: output, scale: scale)
        var axis = InterpolationAxis(index0: [], index1: [], weight0: [], weight1: [])
        for o in 0..<output {
            let i = Swift.min(Int((Float(o) * s).rounded(.down)), input - 1)
            axis.index0.append(i); axis.index1.append(i)
            axis.weight0.append(1); axis.weight1.append(0)
        }
        return axis
    }

    /// Linear interpolation. `alignCorners`: source `o · (in − 1)/(out − 1)` (corner centres coincide);
    /// otherwise `max((o + ½) · step − ½, 0)` (pixel areas scale, edges clamp).
    static func linear(input: Int, output: Int, scale: Double?, alignCorners: Bool) -> InterpolationAxis {
        let s: Float = alignCorners ? (output > 1 ? Float(input - 1) / Float(output - 1) : 0) : step(input: input, output: output, scale: scale)
        var axis = InterpolationAxis(index0: [], index1: [], weight0: [], weight1: [])
        for o in 0..<output {
            let source = alignCorners ? s * Float(o) : Swift.max(s * (Float(o) + 0.5) - 0.5, 0)
            let i0 = Swift.min(Int(source.rounded(.down)), input - 1)
            let lambda = Swift.min(Swift.max(source - Float(i0), 0), 1)
            axis.index0.append(i0)
            axis.index1.append(Swift.min(i0 + 1, input - 1))
            axis.weight0.append(1 - lambda)
            axis.weight1.append(lambda)
        }
        return axis
    }
}
