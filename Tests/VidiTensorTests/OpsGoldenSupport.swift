import Testing
import VidiTensor
import VidiTestSupport

/// Golden cases of the sort/index/join/pad/cumsum ops: one .npz per case under Fixtures/golden/ops,
/// written by Tools/goldens/make_ops_goldens.py with PyTorch as the reference.
func opsGolden(_ name: String) throws -> [String: Tensor] {
    try NPZFile(path: Fixtures.path("golden/ops/\(name).npz")).tensors()
}

/// Runs `op` on the case's named float inputs (as autograd leaves), compares the output with `out`, then
/// back-propagates the stored upstream gradient `gout` and compares each input's gradient with `grad_<name>`.
func checkGolden(_ name: String, inputs: [String], rtol: Float = 0, atol: Float = 0, gradientTolerance: Float = 1e-6,
                 sourceLocation: SourceLocation = #_sourceLocation,
                 _ op: (_ inputs: [Tensor], _ golden: [String: Tensor]) throws -> Tensor) throws {
    let golden = try opsGolden(name)
    let leaves = try inputs.map { try #require(golden[$0], "\(name): no '\($0)'", sourceLocation: sourceLocation).requiresGrad() }
    let out = try op(leaves, golden)
    expectClose(out, try #require(golden["out"], sourceLocation: sourceLocation), rtol: rtol, atol: atol, "\(name) output",
                sourceLocation: sourceLocation)
    try (out * (try #require(golden["gout"], sourceLocation: sourceLocation))).sum().backward()
    for (input, leaf) in zip(inputs, leaves) {
        let expected = try #require(golden["grad_\(input)"], sourceLocation: sourceLocation)
        expectClose(try #require(leaf.grad, "\(name): no gradient for \(input)", sourceLocation: sourceLocation), expected,
                    rtol: gradientTolerance, atol: gradientTolerance, "\(name) gradient of \(input)", sourceLocation: sourceLocation)
    }
}

extension Dictionary where Key == String, Value == Tensor {
    /// A tensor the golden case must contain (a missing one is a broken fixture).
    func required(_ key: String) throws -> Tensor {
        guard let tensor = self[key] else { throw TensorError.invalidArgument(op: "golden", reason: "missing '\(key)'") }
        return tensor
    }
}
