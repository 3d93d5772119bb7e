/// An optimizer over a fixed list of parameters, with PyTorch's update rules.
///
/// `step()` updates every parameter that has a gradient (parameters without one are skipped, as in
/// PyTorch). To give groups of parameters different settings (no weight decay on biases), make one
/// optimizer per group; a schedule sets `learningRate` on each.
public protocol Optimizer: AnyObject {
    var parameters: [Parameter] { get }
    var learningRate: Float { get set }
    func step() throws
    /// Per-parameter state (momentum buffers, moments, step counts) keyed `"<parameter index>.<name>"`
    /// with PyTorch's names (`momentum_buffer`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`, `step`, `mu`),
    /// for checkpoints: save with `Safetensors.write`, restore with `loadState` to resume training.
    var stateTensors: [String: Tensor] { get }
    /// Restores state saved from an optimizer of the same kind over parameters of the same shapes.
    func loadState(_ tensors: [String: Tensor]) throws
}

extension Optimizer {
    /// Clears every parameter's gradient (call between steps).
    public func zeroGrad() {
        for parameter in parameters { parameter.zeroGrad() }
    }
}

/// Runs `body` over each parameter that has a gradient, with its values, its gradient and its state
/// (one flat array per parameter holding its buffers back to back: momentum, second moment, ...),
/// so an update is one pass over plain float buffers with no tensor temporaries.
func forEachUpdate(_ parameters: [Parameter], state: inout [[Float]], op: String,
                   _ body: (_ index: Int, _ values: UnsafeMutableBufferPointer<Float>, _ grad: UnsafeBufferPointer<Float>,
                            _ state: inout [Float]) throws -> Void) throws {
    for (index, parameter) in parameters.enumerated() {
        guard let grad = parameter.grad else { continue }
        guard grad.shape == parameter.shape, grad.dtype == .float32 else {
            throw TensorError.shapeMismatch(op: op, lhs: parameter.shape, rhs: grad.shape)
        }
        try grad.withUnsafeBufferPointer { g in
            try parameter.value.withUnsafeMutableBufferPointer { p in
                try body(index, p, g, &state[index])
            }
        }
    }
}

/// Zero-filled state of `segments` buffers of `elements` each, created on first use (PyTorch's lazy state).
func ensureState(_ state: inout [Float], segments: Int, elements: Int) {
    if state.count < segments * elements {
        state = [Float](repeating: 0, count: segments * elements)
    }
}

/// The state buffers of each parameter as tensors of its shape, named `"<index>.<segment name>"`.
/// Every segment of a parameter with state is exported: the tensors are filled straight from the buffer
/// (no fallible conversion whose error could be dropped, as an earlier `try?` here could have done), and a
/// buffer that does not hold all segments is a broken invariant of the optimizer, not a case to skip.
func exportState(_ state: [[Float]], segments: [String], shapes: [[Int]]) -> [String: Tensor] {
    var tensors: [String: Tensor] = [:]
    for (index, buffer) in state.enumerated() where !buffer.isEmpty {
        let count = shapes[index].reduce(1, *)
        precondition(buffer.count == segments.count * count,
                     "optimizer state of parameter \(index) holds \(buffer.count) values, expected \(segments.count) x \(count)")
        for (segment, name) in segments.enumerated() {
            tensors["\(index).\(name)"] = buffer.withUnsafeBufferPointer { source in
                Tensor(unsafeUninitializedShape: shapes[index]) { target in
                    guard count > 0, let from = source.baseAddress, let to = target.baseAddress else { return }
                    to.update(from: from + segment * count, count: count)
                }
            }
        }
    }
    return tensors
}

/// Rebuilds per-parameter state from `exportState`'s tensors; a parameter without saved state starts
/// fresh. Throws on unknown keys, missing segments, wrong shapes or dtypes.
func importState(_ tensors: [String: Tensor], segments: [String], shapes: [[Int]], extraNames: Set<String> = [], op: String) throws -> [[Float]] {
    var state: [[Float]] = Array(repeating: [], count: shapes.count)
    for key in tensors.keys {
        let parts = key.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let index = Int(parts[0]), shapes.indices.contains(index),
              segments.contains(String(parts[1])) || extraNames.contains(String(parts[1])) else {
            throw TensorError.invalidArgument(op: op, reason: "unexpected optimizer state key '\(key)'")
        }
    }
    for (index, shape) in shapes.enumerated() {
        let present = segments.filter { tensors["\(index).\($0)"] != nil }
        guard !present.isEmpty else { continue }
        var buffer: [Float] = []
        for name in segments {
            guard let tensor = tensors["\(index).\(name)"] else {
                throw TensorError.invalidArgument(op: op, reason: "state of parameter \(index) has \(present) but not '\(name)'")
            }
            guard tensor.shape == shape else { throw TensorError.shapeMismatch(op: op, lhs: shape, rhs: tensor.shape) }
            buffer += try tensor.toArray(Float.self)
        }
        state[index] = buffer
    }
    return state
}
