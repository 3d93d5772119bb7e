import Testing
import VidiTensor
import VidiTestSupport

/// Golden tensors of the NN-op suites, written by `Tools/goldens/make_nnops_goldens.py` (PyTorch, float64).
func nnGolden(_ name: String) throws -> Tensor {
    try Golden.tensor("nn-ops/\(name)")
}

/// Runs `op` on golden case `name`'s stored inputs and compares its output with PyTorch's and, when `gradients`
/// is true, the gradients of `sum(out * w)` (w = linspace(0.5, 1.5) shaped like the output, as in the generator)
/// with PyTorch autograd's `<name>_grad_<input>`.
func expectMatchesTorch(_ name: String, inputs: [String], rtol: Float = 2e-5, atol: Float = 2e-5, gradients: Bool = true,
                        sourceLocation: SourceLocation = #_sourceLocation, _ op: ([Tensor]) throws -> Tensor) throws {
    let values = try inputs.map { try nnGolden("\(name)_\($0)").requiresGrad(gradients) }
    let out = try op(values)
    expectClose(out, try nnGolden("\(name)_out"), rtol: rtol, atol: atol, "\(name) forward", sourceLocation: sourceLocation)
    guard gradients else { return }
    let w = try Tensor.linspace(0.5, 1.5, count: out.elementCount).reshaped(out.shape)
    try (out * w).sum().backward()
    for (key, value) in zip(inputs, values) {
        let grad = try #require(value.grad, "\(name): no gradient for \(key)", sourceLocation: sourceLocation)
        expectClose(grad, try nnGolden("\(name)_grad_\(key)"), rtol: rtol, atol: atol, "\(name) d/d\(key)", sourceLocation: sourceLocation)
    }
}

/// O(1) seeded inputs for finite-difference checks.
func smallInput(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
    var generator = RandomGenerator(seed: seed)
    return Tensor.uniform(shape, low: low, high: high, generator: &generator)
}
