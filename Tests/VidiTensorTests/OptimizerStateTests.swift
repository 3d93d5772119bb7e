import Foundation
import Testing
@testable import VidiTensor
import VidiTestSupport

/// Optimizer state export/import for checkpoints: every buffer of every parameter leaves and comes back
/// bit for bit. Reference for the key set: PyTorch's `optimizer.state_dict()["state"]` names
/// (`momentum_buffer`; `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`, `step`; LARS `mu`).
@Suite struct OptimizerStateTests {
    static let shapes: [[Int]] = [[2, 3], [], [4]]

    static func run(_ make: ([Parameter]) throws -> any Optimizer) throws -> (any Optimizer, [Parameter]) {
        var generator = RandomGenerator(seed: 3)
        let parameters = shapes.map { Parameter(Tensor.normal($0, generator: &generator)) }
        let optimizer = try make(parameters)
        for _ in 0..<2 {
            optimizer.zeroGrad()
            try OptimizerTests.deliver(shapes.map { Tensor.normal($0, generator: &generator) }, to: parameters)
            try optimizer.step()
        }
        return (optimizer, parameters)
    }

    static func bits(_ tensors: [String: Tensor]) -> [String: [UInt32]] {
        tensors.mapValues { $0.dtype == .float32 ? $0.scalars.map(\.bitPattern) : $0.scalars.map { UInt32($0) } }
    }

    @Test func everyStateTensorIsExportedAndRestoredBitExactly() throws {
        let cases: [(String, [String], ([Parameter]) throws -> any Optimizer)] = [
            ("SGD", ["momentum_buffer"], { try SGD($0, learningRate: 0.1, momentum: 0.9) }),
            ("Adam", ["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"], { try Adam($0, amsgrad: true) }),
            ("AdamW", ["exp_avg", "exp_avg_sq", "step"], { try AdamW($0) }),
            ("LARS", ["mu"], { try LARS($0, learningRate: 0.1) }),
        ]
        for (name, segments, make) in cases {
            let (optimizer, _) = try Self.run(make)
            let exported = optimizer.stateTensors
            let want = Set(Self.shapes.indices.flatMap { index in segments.map { "\(index).\($0)" } })
            #expect(Set(exported.keys) == want, "\(name) exported \(exported.keys.sorted())")
            for (key, tensor) in exported where !key.hasSuffix(".step") {
                let index = Int(key.prefix { $0 != "." }) ?? -1
                #expect(tensor.shape == Self.shapes[index], "\(name) \(key) shape")
            }
            // Through a safetensors file into a fresh optimizer, and out again: the same bits.
            let path = try Fixtures.temporaryDirectory("optim-state").appendingPathComponent("s.safetensors").path
            try Safetensors.write(exported, to: path)
            let (fresh, _) = try Self.run(make)
            try fresh.loadState(try Safetensors.read(path: path))
            #expect(Self.bits(fresh.stateTensors) == Self.bits(exported), "\(name) state round trip")
        }
    }

    /// Defect fixed: Adam wrote its step counts back only after the whole update succeeded, so when a later
    /// parameter's update threw, the earlier parameters' moments had advanced but their counts had not:
    /// `stateTensors` then dropped their `step` tensor, and `loadState` refused that very export ("has
    /// moments but no 'step'"). Reference: PyTorch increments `state["step"]` together with each
    /// parameter's moments.
    @Test func adamStepCountsAdvanceWithTheirMomentsWhenALaterParameterFails() throws {
        let first = Parameter(try Tensor([1, 2], shape: [2]))
        let second = Parameter(try Tensor([3, 4], shape: [2]))
        let optimizer = try Adam([first, second])
        try OptimizerTests.deliver([try Tensor([1, 1], shape: [2]), try Tensor([1, 1], shape: [2])], to: [first, second])
        second.setGrad(Tensor.zeros([3]))  // a gradient of the wrong shape makes the second update throw
        #expect(throws: TensorError.self) { try optimizer.step() }
        let state = optimizer.stateTensors
        #expect(state["0.exp_avg"] != nil)
        #expect(try state["0.step"]?.item(Int64.self) == 1, "the first parameter's moments advanced, so must its step")
        #expect(throws: Never.self) { try Adam([first, second]).loadState(state) }
    }
}
