// Follows BMN's base and temporal evaluation modules (JJBOY/BMN-Boundary-Matching-Network, models.py:
// `x_1d_b`, `x_1d_s`, `x_1d_e`), narrower (no groups) so it trains on two CPU cores. Both heads share it.
import VidiNN
import VidiTensor

/// `[B, C, T]` snippet features → a `[B, H, T]` embedding plus start and end boundary logits `[B, T]`.
final class TemporalEncoder: Module {
    let base: Sequential
    let start: Sequential
    let end: Sequential

    init(_ c: LocalizerConfiguration, generator: inout RandomGenerator) {
        base = Sequential([Conv1d(c.inputChannels, c.hidden, kernelSize: 3, padding: 1, generator: &generator), ReLU(),
                           Conv1d(c.hidden, c.hidden, kernelSize: 3, padding: 1, generator: &generator), ReLU()])
        start = Sequential([Conv1d(c.hidden, c.hidden, kernelSize: 3, padding: 1, generator: &generator), ReLU(),
                            Conv1d(c.hidden, 1, kernelSize: 1, generator: &generator)])
        end = Sequential([Conv1d(c.hidden, c.hidden, kernelSize: 3, padding: 1, generator: &generator), ReLU(),
                          Conv1d(c.hidden, 1, kernelSize: 1, generator: &generator)])
        super.init()
        register("x_1d_b", base)
        register("x_1d_s", start)
        register("x_1d_e", end)
    }

    func callAsFunction(_ x: Tensor) throws -> (embedding: Tensor, startLogits: Tensor, endLogits: Tensor) {
        let embedding = try base(x)
        return (embedding, try start(embedding).squeezed(axis: 1), try end(embedding).squeezed(axis: 1))
    }
}

/// Per-query MLP over sampled features (and, for the continuous head, coordinates): outputs
/// `[iou, completeness, Δstart, Δend, class logits…]` per query. BMN's 1×1 map convolutions are the same
/// per-cell MLP; the continuous head only adds the coordinate input.
final class AnchorMLP: Module {
    let layers: Sequential
    init(input: Int, hidden: Int, classes: Int, generator: inout RandomGenerator) {
        layers = Sequential([Linear(input, hidden, generator: &generator), ReLU(),
                             Linear(hidden, hidden, generator: &generator), ReLU(),
                             Linear(hidden, 4 + classes, generator: &generator)])
        super.init()
        register("mlp", layers)
    }
    func callAsFunction(_ x: Tensor) throws -> Tensor { try layers(x) }
}
