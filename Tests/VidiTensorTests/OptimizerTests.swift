import Foundation
import Testing
@testable import VidiTensor
import VidiTestSupport

/// Optimizers, clipping and the schedule against Fixtures/golden/optim (Tools/goldens/make_optim_goldens.py):
/// PyTorch 2.x's own SGD / Adam / AdamW / clip_grad_*_ / SequentialLR run in float32, and for LARS (no
/// PyTorch class) a numpy re-implementation of facebookresearch/barlowtwins' LARS. Four steps each,
/// gradients delivered through autograd (loss = Σ p·g), tolerance rtol 1e-5 / atol 1e-6.
@Suite struct OptimizerTests {
    static let steps = 4

    static func golden(_ name: String) throws -> [String: Tensor] {
        try NPZFile(path: Fixtures.path("golden/optim/\(name).npz")).tensors()
    }

    /// Sets every parameter's gradient to `gradients[i]` the way training does: backward through Σ p·g.
    static func deliver(_ gradients: [Tensor], to parameters: [Parameter]) throws {
        var loss = Tensor(Float(0))
        for (parameter, gradient) in zip(parameters, gradients) {
            loss = try loss + (parameter.value * gradient).sum()
        }
        try loss.backward()
    }

    static func check(_ name: String, _ makeOptimizer: ([Parameter]) throws -> any Optimizer) throws {
        let golden = try golden(name)
        let parameters = try (0..<2).map { Parameter(try #require(golden["p\($0)_init"])) }
        let optimizer = try makeOptimizer(parameters)
        for step in 0..<steps {
            optimizer.zeroGrad()
            try deliver(try (0..<2).map { try #require(golden["g\($0)_step\(step)"]) }, to: parameters)
            try optimizer.step()
            for (index, parameter) in parameters.enumerated() {
                expectClose(parameter.value, try #require(golden["p\(index)_step\(step)"]), rtol: 1e-5, atol: 1e-6,
                            "\(name) parameter \(index) after step \(step)")
                #expect(parameter.value.requiresGrad, "the update must keep the autograd leaf")
            }
        }
    }

    /// Runs two steps, saves the optimizer state through a safetensors file, restores it into a fresh
    /// optimizer over fresh parameters, and checks steps 3 and 4 against the uninterrupted PyTorch run.
    static func checkResume(_ name: String, _ makeOptimizer: ([Parameter]) throws -> any Optimizer) throws {
        let golden = try golden(name)
        let path = try Fixtures.temporaryDirectory().appendingPathComponent("state.safetensors").path
        do {
            let parameters = try (0..<2).map { Parameter(try #require(golden["p\($0)_init"])) }
            let optimizer = try makeOptimizer(parameters)
            for step in 0..<2 {
                optimizer.zeroGrad()
                try deliver(try (0..<2).map { try #require(golden["g\($0)_step\(step)"]) }, to: parameters)
                try optimizer.step()
            }
            try Safetensors.write(optimizer.stateTensors, to: path)
        }
        let parameters = try (0..<2).map { Parameter(try #require(golden["p\($0)_step1"])) }
        let optimizer = try makeOptimizer(parameters)
        try optimizer.loadState(try Safetensors.read(path: path))
        for step in 2..<steps {
            try deliver(try (0..<2).map { try #require(golden["g\($0)_step\(step)"]) }, to: parameters)
            try optimizer.step()
            optimizer.zeroGrad()
            for (index, parameter) in parameters.enumerated() {
                expectClose(parameter.value, try #require(golden["p\(index)_step\(step)"]), rtol: 1e-5, atol: 1e-6,
                            "\(name) resumed, parameter \(index) after step \(step)")
            }
        }
    }

    @Test func resumingFromSavedStateContinuesTheSameTrajectory() throws {
        try Self.checkResume("sgd_nesterov") { try SGD($0, learningRate: 0.05, momentum: 0.8, weightDecay: 0.02, nesterov: true) }
        try Self.checkResume("adam_amsgrad") { try Adam($0, learningRate: 0.02, amsgrad: true) }
        try Self.checkResume("adamw") { try AdamW($0, learningRate: 0.01, betas: (0.9, 0.999), epsilon: 1e-6, weightDecay: 0.1) }
        try Self.checkResume("lars") { try LARS($0, learningRate: 0.3, momentum: 0.9, weightDecay: 1e-4, trustCoefficient: 0.001) }
    }

    @Test func mismatchedStateIsAnError() throws {
        let optimizer = try Adam([Parameter(Tensor.zeros([2, 3]))])
        #expect(throws: TensorError.self) { try optimizer.loadState(["0.exp_avg": Tensor.zeros([2, 3])]) }  // no exp_avg_sq
        #expect(throws: TensorError.self) {
            try optimizer.loadState(["0.exp_avg": Tensor.zeros([3]), "0.exp_avg_sq": Tensor.zeros([3]), "0.step": Tensor(scalar: Int64(1))])
        }
        #expect(throws: TensorError.self) { try optimizer.loadState(["1.exp_avg": Tensor.zeros([2, 3])]) }  // no parameter 1
        #expect(throws: TensorError.self) { try SGD([], learningRate: 0.1).loadState(["0.mu": Tensor.zeros([1])]) }
    }

    @Test func sgdPlain() throws { try Self.check("sgd_plain") { try SGD($0, learningRate: 0.1) } }

    @Test func sgdMomentumDampeningWeightDecay() throws {
        try Self.check("sgd_momentum") { try SGD($0, learningRate: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01) }
    }

    @Test func sgdNesterov() throws {
        try Self.check("sgd_nesterov") { try SGD($0, learningRate: 0.05, momentum: 0.8, weightDecay: 0.02, nesterov: true) }
    }

    @Test func adamWithL2WeightDecay() throws {
        try Self.check("adam") { try Adam($0, learningRate: 0.01, betas: (0.9, 0.99), epsilon: 1e-8, weightDecay: 0.01) }
    }

    @Test func adamAMSGrad() throws { try Self.check("adam_amsgrad") { try Adam($0, learningRate: 0.02, amsgrad: true) } }

    @Test func adamW() throws {
        try Self.check("adamw") { try AdamW($0, learningRate: 0.01, betas: (0.9, 0.999), epsilon: 1e-6, weightDecay: 0.1) }
    }

    @Test func lars() throws {
        try Self.check("lars") { try LARS($0, learningRate: 0.3, momentum: 0.9, weightDecay: 1e-4, trustCoefficient: 0.001) }
    }

    @Test func parametersWithoutGradientsAreSkipped() throws {
        let trained = Parameter(try Tensor([1, 2], shape: [2]))
        let frozen = Parameter(try Tensor([3, 4], shape: [2]), requiresGrad: false)
        let optimizer = try SGD([trained, frozen], learningRate: 0.5, momentum: 0.9)
        try Self.deliver([try Tensor([1, -1], shape: [2])], to: [trained])
        try optimizer.step()
        #expect(try trained.value.toArray(Float.self) == [0.5, 2.5])
        #expect(try frozen.value.toArray(Float.self) == [3, 4])
        #expect(frozen.grad == nil)
        optimizer.zeroGrad()
        #expect(trained.grad == nil)
        frozen.requiresGrad = true
        #expect(frozen.value.requiresGrad)
    }

    @Test func invalidSettingsAreErrors() {
        #expect(throws: TensorError.self) { try SGD([], learningRate: -1) }
        #expect(throws: TensorError.self) { try SGD([], learningRate: 0.1, momentum: 0, nesterov: true) }
        #expect(throws: TensorError.self) { try Adam([], betas: (1, 0.9)) }
        #expect(throws: TensorError.self) { try LARS([], learningRate: 0.1, trustCoefficient: 0) }
        #expect(throws: TensorError.self) { try CosineWarmupSchedule(baseLearningRate: 1, warmupSteps: 5, totalSteps: 3) }
    }

    @Test func clipByNormAndValueMatchPyTorch() throws {
        let golden = try Self.golden("clip")
        let gradients = try (0..<2).map { try #require(golden["g\($0)"]) }
        for maxNorm: Float in [1, 100] {
            let parameters = gradients.map { Parameter(Tensor.zeros($0.shape)) }
            try Self.deliver(gradients, to: parameters)
            let total = try GradientClipping.clipByNorm(parameters, maxNorm: maxNorm)
            let tag = "norm\(Int(maxNorm))"
            expectClose(Tensor(total), try #require(golden["\(tag)_total"]), rtol: 1e-6, atol: 0, "total norm")
            for (index, parameter) in parameters.enumerated() {
                expectClose(try #require(parameter.grad), try #require(golden["\(tag)_g\(index)"]), rtol: 1e-6, atol: 1e-7, "\(tag) grad \(index)")
            }
        }
        let parameters = gradients.map { Parameter(Tensor.zeros($0.shape)) }
        try Self.deliver(gradients, to: parameters)
        try GradientClipping.clipByValue(parameters, clipValue: 1.5)
        for (index, parameter) in parameters.enumerated() {
            expectClose(try #require(parameter.grad), try #require(golden["value1.5_g\(index)"]), rtol: 0, atol: 0, "value-clipped grad \(index)")
        }
    }

    @Test func cosineWarmupMatchesPyTorchSequentialLR() throws {
        let golden = try Self.golden("cosine_warmup")
        let config = try #require(golden["config"]).scalars  // base, warmup, total, start factor, minimum
        let schedule = try CosineWarmupSchedule(baseLearningRate: config[0], warmupSteps: Int(config[1]), totalSteps: Int(config[2]),
                                                warmupStartFactor: config[3], minimumLearningRate: config[4])
        let expected = try #require(golden["lr"])
        let ours = (0..<expected.elementCount).map { schedule.learningRate(at: $0) }
        expectClose(try Tensor(ours, shape: expected.shape), expected, rtol: 1e-6, atol: 0)
        #expect(schedule.learningRate(at: 1000) == config[4])
        let optimizer = try SGD([], learningRate: 1)
        schedule.apply(to: optimizer, step: 0)
        #expect(optimizer.learningRate == schedule.learningRate(at: 0))
    }
}
