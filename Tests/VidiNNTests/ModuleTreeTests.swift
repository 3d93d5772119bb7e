import Foundation
import Testing
import VidiNN
import VidiTensor
import VidiTestSupport

/// A two-level module with a buffer, to test naming, modes and state dicts without any layer kernels.
private final class Block: Module, Layer {
    let scale: Parameter
    let count: Buffer
    let linear: Linear

    init(generator: inout RandomGenerator) {
        scale = Parameter(Tensor.ones([3]))
        count = Buffer(Tensor.zeros([], dtype: .int64))
        linear = Linear(3, 2, generator: &generator)
        super.init()
        register("scale", scale)
        register("count", count)
        register("fc", linear)
    }

    func callAsFunction(_ input: Tensor) throws -> Tensor { try linear(input * scale.value) }
}

@Suite struct ModuleTreeTests {
    private func model(seed: UInt64 = 1) -> Sequential {
        var generator = RandomGenerator(seed: seed)
        return Sequential([Block(generator: &generator), ReLU(), Linear(2, 2, generator: &generator)])
    }

    @Test func parameterPathsFollowPyTorchNames() {
        let names = model().namedParameters().map(\.name)
        #expect(names == ["0.scale", "0.fc.weight", "0.fc.bias", "2.weight", "2.bias"])
        #expect(model().namedBuffers().map(\.name) == ["0.count"])
        #expect(Set(model().stateDict().keys) == Set(names + ["0.count"]))
        #expect(model().parameterCount == 3 + 6 + 2 + 4 + 2)
    }

    @Test func trainAndEvalReachEveryDescendant() {
        let m = model()
        m.eval()
        #expect(m.namedModules().allSatisfy { !$0.module.isTraining })
        m.train()
        #expect(m.namedModules().allSatisfy { $0.module.isTraining })
    }

    @Test func sameSeedGivesSameWeights() throws {
        let a = model(seed: 7).stateDict(), b = model(seed: 7).stateDict(), c = model(seed: 8).stateDict()
        #expect(a["0.fc.weight"]?.scalars == b["0.fc.weight"]?.scalars)
        #expect(a["0.fc.weight"]?.scalars != c["0.fc.weight"]?.scalars)
    }

    @Test func stateDictRoundTripsThroughSafetensors() throws {
        let source = model(seed: 3), target = model(seed: 4)
        let directory = try Fixtures.temporaryDirectory()
        let path = directory.appendingPathComponent("m.safetensors").path
        try source.saveStateDict(to: path)
        try target.loadStateDict(path: path)
        let x = try Tensor([0.5, -1, 2], shape: [1, 3])
        expectClose(try target(x), try source(x), rtol: 0, atol: 0)
        #expect(target.parameters.allSatisfy { $0.requiresGrad })
    }

    @Test func strictLoadListsEveryProblemInOneError() throws {
        let m = model()
        var state = m.stateDict()
        state["0.fc.bias"] = nil                              // missing
        state["2.extra"] = Tensor.zeros([1])                  // unexpected
        state["2.weight"] = Tensor.zeros([3, 2])              // wrong shape (module has [2, 2])
        state["0.count"] = Tensor.zeros([], dtype: .bool)     // unconvertible dtype
        let before = m.stateDict()["0.scale"]?.scalars
        state["0.scale"] = Tensor.full([3], value: 9)         // valid, but must not be applied
        #expect(throws: StateDictError(path: nil, missingKeys: ["0.fc.bias"], unexpectedKeys: ["2.extra"],
                                       shapeMismatches: [.init(key: "2.weight", expected: [2, 2], actual: [3, 2])],
                                       dtypeMismatches: ["0.count (bool for int64)"])) {
            try m.loadStateDict(state)
        }
        #expect(m.stateDict()["0.scale"]?.scalars == before)
    }

    @Test func nonStrictLoadSkipsMissingAndUnexpectedButNotShapes() throws {
        let m = model()
        var state = model(seed: 9).stateDict()
        state["0.fc.bias"] = nil
        state["head.weight"] = Tensor.zeros([4])
        let skipped = try m.loadStateDict(state, strict: false)
        #expect(skipped.missing == ["0.fc.bias"])
        #expect(skipped.unexpected == ["head.weight"])
        #expect(m.stateDict()["2.weight"]?.scalars == state["2.weight"]?.scalars)
        state["2.weight"] = Tensor.zeros([5])
        #expect(throws: StateDictError.self) { try m.loadStateDict(state, strict: false) }
    }

    @Test func int32BufferInCheckpointIsWidened() throws {
        let m = model()
        var state = m.stateDict()
        state["0.count"] = Tensor(scalar: Int32(42))
        try m.loadStateDict(state)
        #expect(try m.stateDict()["0.count"]?.item(Int64.self) == 42)
    }

    @Test func missingFileIsATensorFileError() {
        #expect(throws: TensorFileError.self) { try model().loadStateDict(path: "/nonexistent/model.safetensors") }
    }
}
