import VidiNN
import VidiTensor

/// Encoder + anchor head: BMN's discrete map (`.boundaryMatching`) or RCL's continuous anchors
/// (`.continuous`). The heads read the same `AnchorSampling` features, so the continuous head plugs into
/// BMN in place of its map head. See `RCL.swift` and `BMN.swift` for each head's queries and losses.
public final class LocalizationModel: Module {
    public let configuration: LocalizerConfiguration
    let encoder: TemporalEncoder
    let head: AnchorMLP

    public init(_ configuration: LocalizerConfiguration, seed: UInt64) throws(LocalizationError) {
        try configuration.validate()
        self.configuration = configuration
        var generator = RandomGenerator(seed: seed)
        encoder = TemporalEncoder(configuration, generator: &generator)
        let coordinates = configuration.head == .continuous ? LocalizerConfiguration.coordinateFeatures : 0
        let interior = configuration.interiorSamples > 0 ? 2 * configuration.hidden : 0
        head = AnchorMLP(input: (configuration.samples + 2 * configuration.boundarySamples) * configuration.hidden + interior + coordinates, hidden: configuration.mlpHidden,
                         classes: configuration.classes.count, generator: &generator)
        super.init()
        register("encoder", encoder)
        register("head", head)
    }

    /// Head outputs `[B, Q, 4 + classes]` for segments (grid units) `B × Q` over `embedding [B, H, T]`.
    func query(_ embedding: Tensor, _ segments: [[(Double, Double)]]) throws -> Tensor {
        var input = try AnchorSampling.read(embedding, segments: segments, samples: configuration.samples,
                                           boundarySamples: configuration.boundarySamples)
        if configuration.interiorSamples > 0 {
            input = try Tensor.concatenate([input, AnchorSampling.interior(embedding, segments: segments, count: configuration.interiorSamples)], axis: 2)
        }
        if configuration.head == .continuous {
            input = try Tensor.concatenate([input, AnchorSampling.coordinates(segments, length: configuration.gridLength)], axis: 2)
        }
        return try head(input)
    }
}
