extension Tensor {
    /// Training-mode batch norm of `[N, C, …]` (rank ≥ 2, more than one value per channel) as one recorded
    /// op: statistics, normalisation and the affine part in one pass forward and two backward, on the
    /// input's own layout. The composed ops (channels transposed into rows, `standardizedRows`, broadcast
    /// multiply and add) made about nine passes and three copies of the activations per BatchNorm, a fifth
    /// of a ResNet-50 train step (profile in BENCHMARKS.md). Same statistics and forward roundings as the composed path
    /// (`batchNormTrainingComposed`); backward sums in Double.
    func batchNormTraining(weight: Tensor?, bias: Tensor?, epsilon: Float) throws -> (output: Tensor, mean: [Double], variance: [Double]) {
        let channels = shape[1]
        guard epsilon >= 0 else { throw TensorError.invalidArgument(op: "batchNorm", reason: "epsilon \(epsilon) is negative") }
        try Self.checkAffine(weight: weight, bias: bias, shape: channelShape, op: "batchNorm")
        let layout = CPUKernels.BatchNormLayout(batch: shape[0], channels: channels,
                                                spatial: elementCount / Swift.max(1, shape[0] * channels))
        let x = detached().contiguousData()
        let w = weight?.detached().contiguousData(), b = bias?.detached().contiguousData()
        let statistics = withExtendedLifetime(x) { CPUKernels.batchNormStatistics(x.typedPointer(Float.self), layout) }
        let mean = statistics.mean.map { Float($0) }
        let inverseStd = statistics.variance.map { Float(1 / ($0 + Double(epsilon)).squareRoot()) }
        let out = Tensor(uninitialized: shape, dtype: .float32)
        withExtendedLifetime((x, w, b)) {
            CPUKernels.batchNormForward(x.typedPointer(Float.self), into: out.typedPointer(Float.self), layout, mean: mean,
                                        inverseStd: inverseStd, weight: w.map { UnsafePointer($0.typedPointer(Float.self)) },
                                        bias: b.map { UnsafePointer($0.typedPointer(Float.self)) })
        }
        let weightShape = weight?.shape, biasShape = bias?.shape
        let output = Autograd.record(out, op: "batchNorm", inputs: [self] + [weight, bias].compactMap { $0 }) { g in
            let gradient = g.contiguousData()
            let dx = Tensor(uninitialized: x.shape, dtype: .float32)
            let (dw, db) = withExtendedLifetime((gradient, x, w)) {
                CPUKernels.batchNormBackward(gradient.typedPointer(Float.self), x.typedPointer(Float.self), into: dx.typedPointer(Float.self),
                                             layout, mean: mean, inverseStd: inverseStd,
                                             weight: w.map { UnsafePointer($0.typedPointer(Float.self)) })
            }
            var gradients: [Tensor?] = [dx]
            if let weightShape { gradients.append(try Tensor(dw, shape: weightShape)) }
            if let biasShape { gradients.append(try Tensor(db, shape: biasShape)) }
            return gradients
        }
        return (output, statistics.mean, statistics.variance)
    }
}
