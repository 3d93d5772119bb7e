/// An optimizer over a fixed list of parameters, with PyTorch's update rules.
///
/// `step()` updates every parameter that has a gradient (parameters without one are skipped, as in
/// PyTorch). To give groups of parameters different settings (no weight decay on biases), make one
/// optimizer per group; a schedule sets `learningRate` on each.
public protocol Optimizer: AnyObject {
    var parameters: [Parameter] { get }
    var learningRate: Float { get set }
    func step() throws
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
