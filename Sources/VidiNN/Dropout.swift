import VidiTensor

/// Inverted dropout in training mode, identity in evaluation mode (PyTorch `nn.Dropout`).
/// Owns its seeded generator, so a model built with the same seed drops the same elements.
public final class Dropout: Module, Layer, RandomStateModule {
    public let probability: Float
    /// Draws the dropout masks; public so training checkpoints save and restore it (`RandomStateModule`).
    public var generator: RandomGenerator

    public init(probability: Float = 0.5, seed: UInt64 = 0) {
        precondition((0...1).contains(probability), "dropout probability \(probability) is outside [0, 1]")
        self.probability = probability
        generator = RandomGenerator(seed: seed)
        super.init()
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        guard isTraining, probability > 0 else { return input }
        return try input.dropout(probability: probability, training: true, generator: &generator)
    }
}
