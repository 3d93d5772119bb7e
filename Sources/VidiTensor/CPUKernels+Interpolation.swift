/// Separable resize over three spatial axes: each output reads up to two taps per axis with the weights
/// of its `InterpolationAxis`. Planes (N·C) run in parallel; backward scatters within a plane.
extension CPUKernels {
    /// The per-axis tables as flat arrays: `[index0 | index1]` and `[weight0 | weight1]` per axis.
    private struct ResizeTables {
        let indices: [[Int]]
        let weights: [[Float]]
        let outputs: [Int]

        init(_ axes: [InterpolationAxis]) {
            indices = axes.map { $0.index0 + $0.index1 }
            weights = axes.map { $0.weight0 + $0.weight1 }
            outputs = axes.map(\.outputs)
        }
    }

    /// Calls `body(outputIndex, inputIndex, weight)` for every non-zero tap of every output position.
    @inline(__always)
    private static func forEachTap(_ t: ResizeTables, input: [Int], _ body: (Int, Int, Float) -> Void) {
        let (o0, o1, o2) = (t.outputs[0], t.outputs[1], t.outputs[2])
        let (h, w) = (input[1], input[2])
        t.indices[0].withUnsafeBufferPointer { id in
        t.indices[1].withUnsafeBufferPointer { ih in
        t.indices[2].withUnsafeBufferPointer { iw in
        t.weights[0].withUnsafeBufferPointer { wd in
        t.weights[1].withUnsafeBufferPointer { wh in
        t.weights[2].withUnsafeBufferPointer { ww in
            var out = 0
            for d in 0..<o0 {
                for hOut in 0..<o1 {
                    for wOut in 0..<o2 {
                        for a in 0..<2 where wd[d + a * o0] != 0 {
                            for b in 0..<2 where wh[hOut + b * o1] != 0 {
                                let row = (id[d + a * o0] * h + ih[hOut + b * o1]) * w
                                let weight = wd[d + a * o0] * wh[hOut + b * o1]
                                for c in 0..<2 where ww[wOut + c * o2] != 0 {
                                    body(out, row + iw[wOut + c * o2], weight * ww[wOut + c * o2])
                                }
                            }
                        }
                        out += 1
                    }
                }
            }
        }}}}}}
    }

    /// Resizes `planes` contiguous planes of `input` (3 lifted sizes) to the axes' output sizes.
    static func resize(_ x: Tensor, planes: Int, input: [Int], axes: [InterpolationAxis]) -> Tensor {
        let tables = ResizeTables(axes)
        let inVol = input.reduce(1, *), outVol = tables.outputs.reduce(1, *)
        let out = Tensor(zeroed: [planes * outVol], dtype: .float32)
        let px = x.typedPointer(Float.self), po = out.typedPointer(Float.self)
        withExtendedLifetime(x) {
            Parallel.forEachChunk(count: planes, grain: Swift.max(1, Parallel.defaultGrain / Swift.max(1, 4 * outVol))) { _, range in
                for plane in range {
                    let src = px + plane * inVol, dst = po + plane * outVol
                    forEachTap(tables, input: input) { o, i, weight in dst[o] += weight * src[i] }
                }
            }
        }
        return out
    }

    /// Gradient of `resize` with respect to its input.
    static func resizeBackward(_ gradOutput: Tensor, planes: Int, input: [Int], axes: [InterpolationAxis]) -> Tensor {
        let tables = ResizeTables(axes)
        let inVol = input.reduce(1, *), outVol = tables.outputs.reduce(1, *)
        let gradInput = Tensor(zeroed: [planes * inVol], dtype: .float32)
        let pg = gradOutput.typedPointer(Float.self), pi = gradInput.typedPointer(Float.self)
        withExtendedLifetime(gradOutput) {
            Parallel.forEachChunk(count: planes, grain: Swift.max(1, Parallel.defaultGrain / Swift.max(1, 4 * outVol))) { _, range in
                for plane in range {
                    let g = pg + plane * outVol, dst = pi + plane * inVol
                    forEachTap(tables, input: input) { o, i, weight in dst[i] += weight * g[o] }
                }
            }
        }
        return gradInput
    }
}
