import Foundation
import Testing
@testable import VidiLocalization
import VidiNN
import VidiTensor
import VidiTestSupport

/// The interior readout (min and max per channel over points evenly inside a query) against a direct
/// computation and by finite differences, and the sharp confidence (BMN's second score) in RCL's score.
@Suite struct InteriorReadoutTests {
    /// Direct: `count` points at s + (i + 0.5)·L/count, each read by scalar linear interpolation of column
    /// index (point − 0.5) with zeros outside, then per channel the minimum and maximum over the points.
    static func direct(_ x: [Float], hidden: Int, length: Int, segment: (Double, Double), count: Int) -> [Float] {
        let L = segment.1 - segment.0
        var minima = [Float](repeating: .infinity, count: hidden), maxima = [Float](repeating: -.infinity, count: hidden)
        for i in 0..<count {
            let p = segment.0 + (Double(i) + 0.5) * L / Double(count) - 0.5
            let left = Int(p.rounded(.down)), lambda = Float(p - Double(left))
            for h in 0..<hidden {
                let x0: Float = left >= 0 && left < length ? x[h * length + left] : 0
                let x1: Float = left + 1 >= 0 && left + 1 < length ? x[h * length + left + 1] : 0
                let v = (1 - lambda) * x0 + lambda * x1
                minima[h] = min(minima[h], v); maxima[h] = max(maxima[h], v)
            }
        }
        return minima + maxima
    }

    @Test func interiorMatchesDirectComputation() throws {
        var g = RandomGenerator(seed: 21)
        let (hidden, length, count) = (4, 24, 7)
        let segments: [[(Double, Double)]] = [[(3.2, 17.9), (0, 24), (10.37, 10.61)], [(22.5, 24), (1, 2), (5.5, 6.25)]]
        let x = (0..<(2 * hidden * length)).map { _ in g.nextNormal() }
        let read = try AnchorSampling.interior(Tensor(x, shape: [2, hidden, length]), segments: segments, count: count)
        #expect(read.shape == [2, 3, 2 * hidden])
        let values = read.contiguous().scalars
        for b in 0..<2 {
            let video = Array(x[(b * hidden * length)..<((b + 1) * hidden * length)])
            for (q, s) in segments[b].enumerated() {
                let expected = Self.direct(video, hidden: hidden, length: length, segment: s, count: count)
                let row = (b * 3 + q) * 2 * hidden
                for (a, e) in zip(values[row..<(row + 2 * hidden)], expected) { #expect(abs(a - e) < 1e-5, "video \(b) segment \(s)") }
            }
        }
    }

    /// A gap the 8 bins step over is seen by the interior readout: channel 0 is 1 on columns 8…29 and 32…59
    /// (two actions) and 0 on columns 30–31 (the gap); the query [8, 60] reads its inner bins at columns 14,
    /// 27, 40, 53, all inside an action, while its 32 interior points sit at columns 8.3125 + 1.625·i, and
    /// i = 14 lands at 31.0625: 0.9375·x[31] + 0.0625·x[32] = 0.0625 (by hand). One action alone, [9, 29],
    /// reads no gap (minimum 1).
    @Test func interiorSeesAGapBetweenTheBins() throws {
        let length = 64
        let x = (0..<length).map { t -> Float in (8..<30).contains(t) || (32..<60).contains(t) ? 1 : 0 }
        let embedding = try Tensor(x, shape: [1, 1, length])
        let bins = try AnchorSampling.read(embedding, segments: [[(8, 60)]], samples: 8).scalars
        #expect(bins[2...5].allSatisfy { $0 == 1 })   // the four bins inside the query all read "action"
        let interior = try AnchorSampling.interior(embedding, segments: [[(8, 60)]], count: 32).scalars
        #expect(zip(interior, [0.0625, 1]).allSatisfy { abs($0 - $1) < 1e-6 })   // minimum (in the gap), maximum
        let whole = try AnchorSampling.interior(embedding, segments: [[(9, 29)]], count: 32).scalars
        #expect(whole == [1, 1])
    }

    static func tinyModel(interior: Int, sharp: Bool = false) throws -> LocalizationModel {
        var c = LocalizerConfiguration(head: .continuous, inputChannels: 3, classes: ["a", "b"])
        c.gridLength = 8; c.hidden = 3; c.samples = 4; c.mlpHidden = 6; c.maxDuration = 8; c.refinementSteps = 0
        c.interiorSamples = interior; c.sharpConfidence = sharp
        return try LocalizationModel(c, seed: 13)
    }

    /// ∂(interior readout)/∂(embedding) by central differences (the min/max route the gradient to the
    /// extreme point's two taps), then through the whole head with the interior columns.
    @Test func interiorGradientsMatchFiniteDifferences() throws {
        var g = RandomGenerator(seed: 22)
        let embedding = Tensor.normal([1, 3, 8], generator: &g)
        let segments: [[(Double, Double)]] = [[(1.3, 6.7), (0.2, 0.9), (2, 8)]]
        try gradCheck([embedding], epsilon: 1e-3, rtol: 3e-2, atol: 2e-3) { inputs in
            try AnchorSampling.interior(inputs[0], segments: segments, count: 5)
        }
        let model = try Self.tinyModel(interior: 5)
        let firstLayer = try #require(model.head.layers.children.first?.module as? Linear)
        let c = model.configuration   // bins and boundary points (4 + 2·4) × 3 channels, interior 2 × 3, coordinates
        #expect(firstLayer.weight.value.shape[1] == (c.samples + 2 * c.boundarySamples) * c.hidden + 2 * c.hidden + LocalizerConfiguration.coordinateFeatures)
        #expect(firstLayer.weight.value.shape[1] == 54)
        let original = firstLayer.weight.value
        try gradCheck([embedding, original], epsilon: 1e-3, rtol: 3e-2, atol: 2e-3) { inputs in
            firstLayer.weight.value = inputs[1]
            return try model.query(inputs[0], segments)
        }
        firstLayer.weight.value = original
    }

    /// Checkpoints written before these fields read as no interior readout and no sharp confidence, and load.
    @Test func oldConfigurationsReadWithoutInteriorOrSharpConfidence() throws {
        let old = try JSONDecoder().decode(LocalizerConfiguration.self, from: Data(#"{"head": "rcl", "inputChannels": 3, "classes": ["a"], "boundarySamples": 4}"#.utf8))
        #expect(old.interiorSamples == 0 && !old.sharpConfidence && old.boundarySamples == 4)
        var c = LocalizerConfiguration(head: .continuous, inputChannels: 3, classes: ["a"])
        #expect(c.interiorSamples == LocalizerConfiguration.defaultInteriorSamples && LocalizerConfiguration.defaultInteriorSamples == 32)
        #expect(LocalizerConfiguration(head: .boundaryMatching, inputChannels: 3, classes: ["a"]).interiorSamples == 0)
        c.interiorSamples = 16; c.sharpConfidence = true
        let again = try JSONDecoder().decode(LocalizerConfiguration.self, from: JSONEncoder().encode(c))
        #expect(again == c)
        c.interiorSamples = -1
        #expect(throws: LocalizationError.self) { try LocalizationModel(c, seed: 1) }
    }

    /// A checkpoint written before the interior readout (boundary readout, no `interiorSamples` in its
    /// metadata: the bundled model of that time) loads without interior columns and predicts as the model that
    /// wrote it; the same metadata over a model with interior columns is refused, not read wrongly.
    @Test func checkpointWithoutInteriorReadoutLoads() throws {
        let dir = try Fixtures.temporaryDirectory("vidi-loc-nointerior")
        let metadata = #"{"boundarySamples":4,"classes":["a","b"],"gridLength":64,"head":"rcl","hidden":32,"inputChannels":3,"maxDuration":64,"mlpHidden":128,"refinementSteps":2,"samples":8}"#
        var c = LocalizerConfiguration(head: .continuous, inputChannels: 3, classes: ["a", "b"])
        c.interiorSamples = 0
        let plain = try LocalizationModel(c, seed: 3)
        let path = dir.appendingPathComponent("old.safetensors").path
        try Safetensors.write(plain.stateDict(), metadata: ["vidi.localizer": metadata, "format": "pt"], to: path)
        let loaded = try Localizer(checkpoint: path)
        #expect(loaded.model.configuration.interiorSamples == 0 && !loaded.model.configuration.sharpConfidence)
        var g = RandomGenerator(seed: 4)
        let x = Tensor.normal([30, 3], generator: &g)
        #expect(try loaded.localize(features: x) == Localizer(model: plain).localize(features: x))
        let wide = dir.appendingPathComponent("mislabelled.safetensors").path
        c.interiorSamples = 32
        try Safetensors.write(LocalizationModel(c, seed: 3).stateDict(), metadata: ["vidi.localizer": metadata, "format": "pt"], to: wide)
        #expect(throws: (any Error).self) { try Localizer(checkpoint: wide) }
    }

    /// With the sharp confidence, a candidate's score is sigmoid(column 0) · sigmoid(column 1) of the head's
    /// output for its query (no refinement, no boundary evidence here), computed directly from `query`.
    @Test func sharpConfidenceMultipliesIntoTheScore() throws {
        for sharp in [false, true] {
            let model = try Self.tinyModel(interior: 3, sharp: sharp)
            var g = RandomGenerator(seed: 23)
            let video = try GridVideo(features: Tensor.normal([8, 3], generator: &g), gridLength: 8)
            let candidates = try RCL.candidates(model, [video], useBoundaries: false)[0]
            let queries = RCL.inferenceQueries(length: 8)
            let embedding = try model.encoder(GridVideo.batch([video])).embedding
            let outputs = try model.query(embedding, [queries]).contiguous().scalars
            let width = 4 + 2
            #expect(candidates.count == queries.count)
            for (q, candidate) in candidates.enumerated() {
                let expected = 1 / (1 + exp(-Double(outputs[q * width]))) * (sharp ? 1 / (1 + exp(-Double(outputs[q * width + 1]))) : 1)
                #expect(abs(candidate.score - expected) < 1e-9)
            }
        }
    }

    /// The sharp confidence is trained: the loss reaches column 1's output weights only with the flag.
    @Test func sharpConfidenceIsTrainedOnlyWithTheFlag() throws {
        for sharp in [false, true] {
            let model = try Self.tinyModel(interior: 0, sharp: sharp)
            var g = RandomGenerator(seed: 24)
            var video = try GridVideo(features: Tensor.normal([8, 3], generator: &g), gridLength: 8)
            video.truths = [(1, 5, 0), (6, 7.5, 1)]
            let loss = try RCL.loss(model, [video], queries: 64, sampling: .scaleInvariant, generator: &g)
            try loss.backward()
            let last = try #require(model.head.layers.children.last?.module as? Linear)
            let row1 = try #require(last.weight.grad).contiguous().scalars[6..<12]   // output 1 of [6 outputs, 6 hidden]
            #expect(row1.contains { $0 != 0 } == sharp)
        }
    }
}
