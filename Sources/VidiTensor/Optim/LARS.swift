/// LARS (layer-wise adaptive rate scaling) as used for self-supervised pre-training (SimCLR, Barlow
/// Twins, HiCo). There is no PyTorch class; this follows facebookresearch/barlowtwins' `LARS`:
/// `d = g + wd·p`, `d *= η·‖p‖/‖d‖` (when both norms are positive), `μ = m·μ + d`, `p −= lr·μ`.
/// With `excludeOneDimensional` (their `exclude_bias_and_norm`), 1-D parameters (biases, norm
/// weights) get neither weight decay nor the trust ratio.
public final class LARS: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let momentum: Float
    public let weightDecay: Float
    public let trustCoefficient: Float
    public let excludeOneDimensional: Bool
    private var state: [[Float]]

    public init(_ parameters: [Parameter], learningRate: Float, momentum: Float = 0.9, weightDecay: Float = 0,
                trustCoefficient: Float = 0.001, excludeOneDimensional: Bool = true) throws {
        guard learningRate >= 0, momentum >= 0, weightDecay >= 0, trustCoefficient > 0 else {
            throw TensorError.invalidArgument(op: "LARS", reason: "learning rate \(learningRate), momentum \(momentum), weight decay \(weightDecay) must be >= 0 and eta \(trustCoefficient) > 0")
        }
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.trustCoefficient = trustCoefficient
        self.excludeOneDimensional = excludeOneDimensional
        state = Array(repeating: [], count: parameters.count)
    }

    public func step() throws {
        let (lr, mu, wd, eta) = (learningRate, momentum, weightDecay, trustCoefficient)
        // Decided before the update loop: reading a parameter while its values are being written is an access conflict.
        let adapts = parameters.map { !(excludeOneDimensional && $0.shape.count == 1) }
        try forEachUpdate(parameters, state: &state, op: "LARS.step") { index, p, g, buffer in
            let adapt = adapts[index]
            ensureState(&buffer, segments: 1, elements: p.count)
            // Norms in double: a long tensor's sum of squares loses digits in float.
            var parameterSquares = 0.0, updateSquares = 0.0
            if adapt {
                for i in 0..<p.count {
                    let d = g[i] + wd * p[i]
                    parameterSquares += Double(p[i]) * Double(p[i])
                    updateSquares += Double(d) * Double(d)
                }
            }
            let ratio: Float = adapt && parameterSquares > 0 && updateSquares > 0
                ? eta * Float(parameterSquares.squareRoot()) / Float(updateSquares.squareRoot()) : 1
            buffer.withUnsafeMutableBufferPointer { b in
                for i in 0..<p.count {
                    let d = adapt ? (g[i] + wd * p[i]) * ratio : g[i]
                    b[i] = mu * b[i] + d
                    p[i] -= lr * b[i]
                }
            }
        }
    }

    public var stateTensors: [String: Tensor] {
        exportState(state, segments: ["mu"], shapes: parameters.map(\.shape))
    }

    public func loadState(_ tensors: [String: Tensor]) throws {
        state = try importState(tensors, segments: ["mu"], shapes: parameters.map(\.shape), op: "LARS.loadState")
    }
}
