extension CPUKernels {
    /// Training-mode batch norm straight on `[N, C, S]` data (channel `c` is `N` runs of `S` contiguous
    /// values): no transposed copy to make channels rows. Every sum over a channel runs in Double, in one
    /// fixed order inside one chunk, so results do not depend on the thread count.
    struct BatchNormLayout {
        let batch: Int, channels: Int, spatial: Int
        var perChannel: Int { batch * spatial }
        /// Channels per parallel chunk: about `Parallel.defaultGrain` elements.
        var grain: Int { Swift.max(1, Parallel.defaultGrain / Swift.max(1, perChannel)) }

        /// Calls `body(start)` for each contiguous run of channel `c`.
        @inline(__always)
        func forEachRun(channel c: Int, _ body: (Int) -> Void) {
            for n in 0..<batch { body((n * channels + c) * spatial) }
        }
    }

    /// Per-channel mean and biased variance (two passes, in Double, as `standardizedRows`).
    static func batchNormStatistics(_ x: UnsafePointer<Float>, _ layout: BatchNormLayout) -> (mean: [Double], variance: [Double]) {
        var mean = [Double](repeating: 0, count: layout.channels), variance = mean
        let count = Double(Swift.max(layout.perChannel, 1)), s = layout.spatial
        mean.withUnsafeMutableBufferPointer { means in
            variance.withUnsafeMutableBufferPointer { variances in
                Parallel.forEachChunk(count: layout.channels, grain: layout.grain) { _, channels in
                    for c in channels {
                        var total = 0.0
                        layout.forEachRun(channel: c) { start in for i in start..<start + s { total += Double(x[i]) } }
                        let m = total / count
                        var squares = 0.0
                        layout.forEachRun(channel: c) { start in
                            for i in start..<start + s { let d = Double(x[i]) - m; squares += d * d }
                        }
                        means[c] = m
                        variances[c] = squares / count
                    }
                }
            }
        }
        return (mean, variance)
    }

    /// `y = ((x − μ)·r)·w + b` per channel, rounded step by step as the separate ops would.
    static func batchNormForward(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, _ layout: BatchNormLayout,
                                 mean: [Float], inverseStd: [Float], weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?) {
        let s = layout.spatial
        Parallel.forEachChunk(count: layout.channels, grain: layout.grain) { _, channels in
            for c in channels {
                let m = mean[c], r = inverseStd[c]
                let w = weight?[c], b = bias?[c]
                layout.forEachRun(channel: c) { start in
                    for i in start..<start + s {
                        var v = (x[i] - m) * r
                        if let w { v = v * w }
                        if let b { v = v + b }
                        y[i] = v
                    }
                }
            }
        }
    }

    /// Backward of training-mode batch norm: with `x̂ = (x − μ)·r`, `∂b = Σ g`, `∂w = Σ g·x̂`, and
    /// `∂x = r·w·(g − Σg/M − x̂·Σ(g·x̂)/M)` (`M` values per channel; `w` = 1 without a weight). Two passes.
    static func batchNormBackward(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>,
                                  _ layout: BatchNormLayout, mean: [Float], inverseStd: [Float], weight: UnsafePointer<Float>?)
        -> (weight: [Float], bias: [Float]) {
        var dw = [Float](repeating: 0, count: layout.channels), db = dw
        let count = Double(Swift.max(layout.perChannel, 1)), s = layout.spatial
        dw.withUnsafeMutableBufferPointer { dws in
            db.withUnsafeMutableBufferPointer { dbs in
                Parallel.forEachChunk(count: layout.channels, grain: layout.grain) { _, channels in
                    for c in channels {
                        let m = mean[c], r = inverseStd[c]
                        var sumG = 0.0, sumGX = 0.0
                        layout.forEachRun(channel: c) { start in
                            for i in start..<start + s {
                                sumG += Double(g[i])
                                sumGX += Double(g[i]) * Double((x[i] - m) * r)
                            }
                        }
                        dbs[c] = Float(sumG)
                        dws[c] = Float(sumGX)
                        let scale = r * (weight?[c] ?? 1), meanG = Float(sumG / count), meanGX = Float(sumGX / count)
                        layout.forEachRun(channel: c) { start in
                            for i in start..<start + s { dx[i] = scale * (g[i] - meanG - (x[i] - m) * r * meanGX) }
                        }
                    }
                }
            }
        }
        return (dw, db)
    }
}
