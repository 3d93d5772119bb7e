import Testing
import VidiNN
import VidiPretext
import VidiRandom
import VidiTensor
import VidiTestSupport

@Suite struct LinearProbeTests {
    /// A probe built from a saved MoSI checkpoint holds exactly its encoder weights and BatchNorm running
    /// statistics, frozen: its features equal the trained model's own backbone in evaluation mode and differ
    /// from a randomly initialised probe's.
    @Test func probeLoadsTheFrozenEncoder() throws {
        var generator = RandomGenerator(seed: 7)
        let model = try MoSIModel(PretextModelTests.small, seed: 0, generator: &generator)
        var random = RandomGenerator(seed: 3)
        let clips = Tensor.uniform([2, 8, 16, 16, 3], low: 0, high: 255, generator: &random)
        _ = try model(clips)  // one training-mode pass moves the running statistics off their initial values
        model.eval()
        let expected = try model.backbone(model.backbone.input(clips)).toArray(Float.self)
        let folder = try Fixtures.temporaryDirectory("probe")
        let path = folder.appendingPathComponent("mosi.safetensors").path
        try model.saveStateDict(to: path)
        var other = RandomGenerator(seed: 8)
        let probe = try LinearProbe(PretextModelTests.small, checkpoint: path, generator: &other)
        #expect(try probe.features(clips).toArray(Float.self) == expected)
        #expect(probe.backbone.parameters.allSatisfy { !$0.requiresGrad })
        var fresh = RandomGenerator(seed: 8)
        let baseline = try LinearProbe(PretextModelTests.small, checkpoint: nil, generator: &fresh)
        #expect(try baseline.features(clips).toArray(Float.self) != expected)
        #expect(throws: (any Error).self) { _ = try LinearProbe(PretextModelTests.small, checkpoint: folder.appendingPathComponent("none").path, generator: &other) }
        // A training checkpoint (step-N.safetensors) holds the same state dict under `model.`.
        let step = folder.appendingPathComponent("step-1.safetensors").path
        try Safetensors.write(Dictionary(uniqueKeysWithValues: model.stateDict().map { ("model." + $0.key, $0.value) }), to: step)
        var third = RandomGenerator(seed: 9)
        #expect(try LinearProbe(PretextModelTests.small, checkpoint: step, generator: &third).features(clips).toArray(Float.self) == expected)
    }

    /// Features whose class is in one tiny-scaled dimension among large noise dimensions: the standardised
    /// probe separates them (an unstandardised one with the same steps and rate barely moves that weight).
    @Test func probeStandardisesFeaturesBeforeFitting() throws {
        var random = RandomGenerator(seed: 11)
        func split(_ count: Int) throws -> (Tensor, Tensor) {
            var values: [Float] = [], labels: [Int64] = []
            for i in 0..<count {
                let label = Int64(i % 2)
                values.append((label == 0 ? -1 : 1) * Float(0.5 + random.nextUniformDouble()) * 1e-4)
                for _ in 0..<3 { values.append(Float(2 * random.nextUniformDouble() - 1) * 1e3) }
                labels.append(label)
            }
            return (try Tensor(values, shape: [count, 4]), try Tensor(labels, shape: [count]))
        }
        let (trainX, trainY) = try split(64), (valX, valY) = try split(32)
        var generator = RandomGenerator(seed: 0)
        let probe = try ProbeClassifier(features: 4, classes: 2, generator: &generator)
        try probe.fit(features: trainX, labels: trainY, steps: 200, learningRate: 0.05, weightDecay: 0)
        #expect(try probe.accuracy(features: trainX, labels: trainY) == 1)
        #expect(try probe.accuracy(features: valX, labels: valY) == 1)
        // The statistics are the training split's, computed here by hand (population std).
        let x = try trainX.toArray(Float.self)
        let column = (0..<64).map { Double(x[$0 * 4 + 1]) }
        let mean = column.reduce(0, +) / 64
        let std = (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 64).squareRoot()
        #expect(abs(Double(try probe.mean.toArray(Float.self)[1]) - mean) < 1e-3 * std)
        #expect(abs(Double(try probe.inverseStd.toArray(Float.self)[1]) * std - 1) < 1e-4)
    }

    @Test func probeRejectsBadInput() throws {
        var generator = RandomGenerator(seed: 0)
        let probe = try ProbeClassifier(features: 2, classes: 3, generator: &generator)
        let x = try Tensor([Float](repeating: 1, count: 8), shape: [4, 2])
        #expect(throws: PretextError.self) { try probe.fit(features: x, labels: try Tensor([Int64](arrayLiteral: 0, 1, 2, 3), shape: [4]), steps: 1, learningRate: 0.1, weightDecay: 0) }
        #expect(throws: PretextError.self) { try probe.fit(features: x, labels: try Tensor([Int64](arrayLiteral: 0, 1), shape: [2]), steps: 1, learningRate: 0.1, weightDecay: 0) }
        #expect(throws: PretextError.self) { _ = try ProbeClassifier(features: 2, classes: 1, generator: &generator) }
    }
}
