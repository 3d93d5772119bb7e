import Testing
import VidiNN
import VidiTensor
import VidiTestSupport

/// Layers against PyTorch: weights loaded by state dict, outputs (and gradients where saved) from
/// `Tools/goldens/make_nn_goldens.py`. Forward tolerance rtol 1e-4 / atol 1e-5 (float32, different
/// summation order); gradients the same.
@Suite struct LayerGoldenTests {
    var generator = RandomGenerator(seed: 42)

    /// Runs a one-input layer on the case's `x`, checks the output, and with `gradients` also the input
    /// and every parameter gradient.
    private func check(_ name: String, _ layer: some Layer, input: String = "x", gradients: Bool = false) throws {
        let golden = GoldenCase(name)
        try golden.load(into: layer)
        var x = try golden.tensor(input)
        if gradients { x = x.requiresGrad() }
        let out = try layer(x)
        expectClose(out, try golden.tensor("out"), rtol: 1e-4, atol: 1e-5, name)
        guard gradients else { return }
        try golden.backward(out)
        if let grad = x.grad { expectClose(grad, try golden.tensor("grad_\(input)"), rtol: 1e-4, atol: 1e-5, "\(name) input grad") }
        for (key, _) in layer.namedParameters() { try golden.expectGradient(layer, key) }
    }

    @Test mutating func linear() throws {
        try check("linear", Linear(5, 4, generator: &generator), gradients: true)
    }

    @Test mutating func convolutions() throws {
        try check("conv1d", Conv1d(4, 6, kernelSize: 3, stride: 2, padding: 1, groups: 2, generator: &generator), gradients: true)
        try check("conv2d", Conv2d(3, 4, kernelSize: [3, 2], stride: [2, 1], padding: [1, 0], dilation: [1, 2], generator: &generator),
                  gradients: true)
        try check("conv3d", Conv3d(2, 3, kernelSize: [3], stride: [1, 2, 2], padding: [1], bias: false, generator: &generator))
    }

    @Test func batchNormEvalUsesRunningStatistics() throws {
        let layers: [(Int, BatchNormBase & Layer)] = [(1, BatchNorm1d(3, momentum: 0.2)), (2, BatchNorm2d(3, momentum: 0.2)),
                                                       (3, BatchNorm3d(3, momentum: 0.2))]
        for (dims, bn) in layers {
            bn.eval()
            try check("batchnorm\(dims)d_eval", bn)
        }
    }

    @Test func batchNormTrainUpdatesRunningStatistics() throws {
        let layers: [(Int, BatchNormBase & Layer)] = [(1, BatchNorm1d(3, momentum: 0.2)), (2, BatchNorm2d(3, momentum: 0.2)),
                                                       (3, BatchNorm3d(3, momentum: 0.2))]
        for (dims, bn) in layers {
            let name = "batchnorm\(dims)d_train"
            try check(name, bn, gradients: dims == 2)
            let golden = GoldenCase(name)
            expectClose(bn.runningMean.value, try golden.tensor("after_running_mean"), rtol: 1e-5, atol: 1e-6, "\(name) running mean")
            expectClose(bn.runningVar.value, try golden.tensor("after_running_var"), rtol: 1e-5, atol: 1e-6, "\(name) running var")
            #expect(try bn.numBatchesTracked.value.item(Int64.self) == 8)  // 7 in the checkpoint, plus this batch
        }
    }

    @Test func batchNormRejectsWrongRank() {
        #expect(throws: TensorError.self) { try BatchNorm2d(3)(Tensor.zeros([2, 3, 4])) }
        #expect(throws: TensorError.self) { try BatchNorm1d(3)(Tensor.zeros([2, 4])) }
    }

    @Test func layerNormAndGroupNorm() throws {
        try check("layernorm", LayerNorm([4, 6]), gradients: true)
        try check("groupnorm", GroupNorm(groups: 2, channels: 6))
    }

    @Test mutating func embeddingWithPaddingRowGetsNoGradient() throws {
        let embedding = Embedding(count: 10, dimension: 4, paddingIndex: 0, generator: &generator)
        let golden = GoldenCase("embedding")
        try golden.load(into: embedding)
        let out = try embedding(golden.tensor("ids"))
        expectClose(out, try golden.tensor("out"), rtol: 0, atol: 0, "embedding lookup")
        try golden.backward(out)
        try golden.expectGradient(embedding, "weight")
        #expect(throws: TensorError.self) { try embedding(Tensor([Int64(10)], shape: [1])) }
    }

    @Test mutating func mlp() throws {
        try check("mlp", MLP(input: 6, dimensions: [8, 5], generator: &generator))
    }

    @Test mutating func linearRejectsWrongWidth() {
        let linear = Linear(5, 4, generator: &generator)
        #expect(throws: TensorError.self) { try linear(Tensor.zeros([2, 4])) }
    }

    @Test mutating func dropoutIsIdentityInEvalAndSeededInTraining() throws {
        let x = Tensor.ones([64])
        let a = Dropout(probability: 0.5, seed: 3), b = Dropout(probability: 0.5, seed: 3)
        let ya = try a(x), yb = try b(x)
        #expect(ya.scalars == yb.scalars)
        #expect(Set(ya.scalars) == [0, 2])
        a.eval()
        #expect(try a(x).scalars == x.scalars)
    }
}
