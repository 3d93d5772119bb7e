import Testing
import VidiTensor
import VidiTestSupport

/// Expected values: PyTorch `F.softmax`, `F.log_softmax`, `F.layer_norm`, `F.group_norm`, `F.batch_norm` in float64
/// and its autograd (Tools/goldens/make_nnops_goldens.py); finite differences for the gradient checks.
@Suite struct NNNormalizationTests {
    @Test func softmaxIsStableForLargeLogits() throws {
        try expectMatchesTorch("softmax", inputs: ["x"]) { try $0[0].softmax(axis: 1) }
        try expectMatchesTorch("log_softmax", inputs: ["x"], rtol: 1e-6, atol: 2e-5) { try $0[0].logSoftmax(axis: -1) }
    }

    @Test func softmaxOfAStridedViewAndEdgeCases() throws {
        // A transposed view: softmax along its axis 0 equals softmax along axis 1 of the stored tensor.
        let x = try nnGolden("softmax_x")
        let viewResult = try x.transposed(0, 1).softmax(axis: 0).transposed(0, 1)
        expectClose(viewResult, try nnGolden("softmax_out"), rtol: 2e-5, atol: 2e-5)
        // -inf logits get probability 0; a rank-0 tensor has softmax 1.
        let masked = try Tensor([0, -.infinity, 0], shape: [3]).softmax(axis: 0)
        #expect(masked.scalars == [0.5, 0, 0.5])
        #expect(try Tensor(Float(3)).softmax(axis: 0).item() == 1)
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 3]).softmax(axis: 2) }
        #expect(throws: TensorError.self) { try Tensor.arange(count: 3).logSoftmax(axis: 0) }
    }

    @Test func layerAndGroupNorm() throws {
        try expectMatchesTorch("layer_norm", inputs: ["x", "w", "b"]) {
            try $0[0].layerNorm(normalizedShape: [3, 4], weight: $0[1], bias: $0[2])
        }
        try expectMatchesTorch("group_norm", inputs: ["x", "w", "b"]) {
            try $0[0].groupNorm(groups: 3, weight: $0[1], bias: $0[2])
        }
    }

    @Test func batchNormTrainingUpdatesRunningStatistics() throws {
        let mean = try nnGolden("batch_norm_train_running_mean"), variance = try nnGolden("batch_norm_train_running_var")
        var result: BatchNormResult?
        try expectMatchesTorch("batch_norm_train", inputs: ["x", "w", "b"]) {
            let r = try $0[0].batchNorm(runningMean: mean, runningVar: variance, weight: $0[1], bias: $0[2],
                                        training: true, momentum: 0.2)
            result = r
            return r.output
        }
        expectClose(try #require(result?.runningMean), try nnGolden("batch_norm_train_new_running_mean"), rtol: 1e-5, atol: 1e-6)
        expectClose(try #require(result?.runningVar), try nnGolden("batch_norm_train_new_running_var"), rtol: 1e-5, atol: 1e-6)
    }

    @Test func batchNormEvaluationUsesRunningStatistics() throws {
        let mean = try nnGolden("batch_norm_train_running_mean"), variance = try nnGolden("batch_norm_train_running_var")
        try expectMatchesTorch("batch_norm_eval", inputs: ["x", "w", "b"]) {
            try $0[0].batchNorm(runningMean: mean, runningVar: variance, weight: $0[1], bias: $0[2], training: false).output
        }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        let x = smallInput([2, 4, 3], seed: 21, low: -2, high: 2)
        try gradCheck([x]) { try $0[0].softmax(axis: 1) }
        try gradCheck([x]) { try $0[0].logSoftmax(axis: 2) }
        try gradCheck([x, smallInput([3], seed: 22), smallInput([3], seed: 23)]) {
            try $0[0].layerNorm(normalizedShape: [3], weight: $0[1], bias: $0[2])
        }
        try gradCheck([x, smallInput([4], seed: 24), smallInput([4], seed: 25)]) {
            try $0[0].groupNorm(groups: 2, weight: $0[1], bias: $0[2])
        }
        try gradCheck([x, smallInput([4], seed: 26), smallInput([4], seed: 27)]) {
            try $0[0].batchNorm(runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true).output
        }
    }

    @Test func badArgumentsThrow() {
        let x = Tensor.zeros([2, 4, 3])
        #expect(throws: TensorError.self) { try x.layerNorm(normalizedShape: [4]) }
        #expect(throws: TensorError.self) { try x.layerNorm(normalizedShape: [3], weight: Tensor.zeros([4])) }
        #expect(throws: TensorError.self) { try x.groupNorm(groups: 3) }
        #expect(throws: TensorError.self) { try x.batchNorm(runningMean: nil, runningVar: nil, training: false) }
        #expect(throws: TensorError.self) { try x.batchNorm(runningMean: Tensor.zeros([3]), runningVar: Tensor.ones([3]), training: false) }
        #expect(throws: TensorError.self) { try Tensor.zeros([1, 4]).batchNorm(runningMean: nil, runningVar: nil, training: true) }
    }

    @Test func dropoutIsSeededAndScales() throws {
        let x = Tensor.ones([1000])
        var g1 = RandomGenerator(seed: 7), g2 = RandomGenerator(seed: 7)
        let a = try x.dropout(probability: 0.3, generator: &g1).scalars
        let b = try x.dropout(probability: 0.3, generator: &g2).scalars
        #expect(a == b)
        // Survivors are scaled by 1 / (1 - p); the mask draws uniforms like RandomGenerator.nextUniform.
        var reference = RandomGenerator(seed: 7)
        let expected = (0..<1000).map { _ in reference.nextUniform() < 0.3 ? Float(0) : 1 / Float(0.7) }
        #expect(a == expected)
        let kept = a.filter { $0 != 0 }.count
        #expect(kept > 600 && kept < 800)
        // Gradient is the mask; evaluation and p = 0 are the identity; p = 1 zeroes everything.
        var g3 = RandomGenerator(seed: 7)
        let t = x.requiresGrad()
        try t.dropout(probability: 0.3, generator: &g3).sum().backward()
        #expect(t.grad?.scalars == expected)
        #expect(try x.dropout(probability: 0.5, training: false, generator: &g1).scalars == x.scalars)
        #expect(try x.dropout(probability: 1, generator: &g1).scalars.allSatisfy { $0 == 0 })
        #expect(throws: TensorError.self) { try x.dropout(probability: 1.5, generator: &g1) }
    }
}
