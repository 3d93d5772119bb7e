import Foundation

/// Adam with PyTorch's `torch.optim.Adam` semantics (L2 weight decay added to the gradient, optional AMSGrad):
/// `m = m + (1 − β1)(g − m)`, `v = β2·v + (1 − β2)·g²`, `p −= (lr / (1 − β1ᵗ)) · m / (√v̂ / √(1 − β2ᵗ) + ε)`
/// where `v̂` is `v`, or its running maximum with AMSGrad.
public final class Adam: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float {
        get { core.learningRate }
        set { core.learningRate = newValue }
    }
    private var core: AdamCore

    public init(_ parameters: [Parameter], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                epsilon: Float = 1e-8, weightDecay: Float = 0, amsgrad: Bool = false) throws {
        self.parameters = parameters
        core = try AdamCore(op: "Adam", count: parameters.count, learningRate: learningRate, betas: betas, epsilon: epsilon,
                            weightDecay: weightDecay, decoupled: false, amsgrad: amsgrad)
    }

    public func step() throws { try core.step(parameters) }
    public var stateTensors: [String: Tensor] { core.stateTensors(parameters) }
    public func loadState(_ tensors: [String: Tensor]) throws { try core.loadState(tensors, parameters) }
}

/// AdamW with PyTorch's `torch.optim.AdamW` semantics: decoupled weight decay `p *= 1 − lr·wd` before the
/// Adam update (which then sees the plain gradient).
public final class AdamW: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float {
        get { core.learningRate }
        set { core.learningRate = newValue }
    }
    private var core: AdamCore

    public init(_ parameters: [Parameter], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                epsilon: Float = 1e-8, weightDecay: Float = 1e-2, amsgrad: Bool = false) throws {
        self.parameters = parameters
        core = try AdamCore(op: "AdamW", count: parameters.count, learningRate: learningRate, betas: betas, epsilon: epsilon,
                            weightDecay: weightDecay, decoupled: true, amsgrad: amsgrad)
    }

    public func step() throws { try core.step(parameters) }
    public var stateTensors: [String: Tensor] { core.stateTensors(parameters) }
    public func loadState(_ tensors: [String: Tensor]) throws { try core.loadState(tensors, parameters) }
}

/// The update shared by Adam and AdamW.
struct AdamCore {
    var learningRate: Float
    let beta1: Float
    let beta2: Float
    let epsilon: Float
    let weightDecay: Float
    let decoupled: Bool
    let amsgrad: Bool
    /// Per parameter: m, v (and max v with AMSGrad) back to back; empty until its first update.
    var state: [[Float]]
    /// Per parameter step count (a parameter that had no gradient in some step has taken fewer steps).
    var steps: [Int]

    init(op: String, count: Int, learningRate: Float, betas: (Float, Float), epsilon: Float, weightDecay: Float,
         decoupled: Bool, amsgrad: Bool) throws {
        guard learningRate >= 0, epsilon >= 0, weightDecay >= 0, (0..<1).contains(betas.0), (0..<1).contains(betas.1) else {
            throw TensorError.invalidArgument(op: op, reason: "need lr, eps, weight decay >= 0 and betas in [0, 1); got lr \(learningRate), betas \(betas), eps \(epsilon), weight decay \(weightDecay)")
        }
        self.learningRate = learningRate
        beta1 = betas.0
        beta2 = betas.1
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupled = decoupled
        self.amsgrad = amsgrad
        state = Array(repeating: [], count: count)
        steps = Array(repeating: 0, count: count)
    }

    mutating func step(_ parameters: [Parameter]) throws {
        let (lr, b1, b2, eps, wd, decoupled, amsgrad) = (learningRate, beta1, beta2, epsilon, weightDecay, decoupled, amsgrad)
        var steps = self.steps
        // Written back even when a later parameter throws: the moments of the parameters already updated
        // have advanced, and their step counts (the bias corrections) must advance with them.
        defer { self.steps = steps }
        try forEachUpdate(parameters, state: &state, op: decoupled ? "AdamW.step" : "Adam.step") { index, p, g, buffer in
            steps[index] += 1
            let t = Double(steps[index])
            // Bias corrections in double, as PyTorch computes these Python scalars.
            let stepSize = Float(Double(lr) / (1 - Foundation.pow(Double(b1), t)))
            let correction2 = Float(Foundation.sqrt(1 - Foundation.pow(Double(b2), t)))
            let decay: Float = decoupled ? 1 - lr * wd : 1
            let n = p.count
            ensureState(&buffer, segments: amsgrad ? 3 : 2, elements: n)
            buffer.withUnsafeMutableBufferPointer { s in
                for i in 0..<n {
                    if decoupled { p[i] *= decay }
                    let grad = !decoupled && wd != 0 ? g[i] + wd * p[i] : g[i]
                    s[i] += (1 - b1) * (grad - s[i])  // m (PyTorch's lerp)
                    s[n + i] = b2 * s[n + i] + (1 - b2) * grad * grad  // v
                    var second = s[n + i]
                    if amsgrad {
                        s[2 * n + i] = Swift.max(s[2 * n + i], second)
                        second = s[2 * n + i]
                    }
                    p[i] -= stepSize * (s[i] / (second.squareRoot() / correction2 + eps))
                }
            }
        }
    }

    var segments: [String] { amsgrad ? ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["exp_avg", "exp_avg_sq"] }

    func stateTensors(_ parameters: [Parameter]) -> [String: Tensor] {
        var tensors = exportState(state, segments: segments, shapes: parameters.map(\.shape))
        for (index, count) in steps.enumerated() where count > 0 { tensors["\(index).step"] = Tensor(scalar: Int64(count)) }
        return tensors
    }

    mutating func loadState(_ tensors: [String: Tensor], _ parameters: [Parameter]) throws {
        let op = decoupled ? "AdamW.loadState" : "Adam.loadState"
        let restored = try importState(tensors, segments: segments, shapes: parameters.map(\.shape), extraNames: ["step"], op: op)
        var counts = Array(repeating: 0, count: parameters.count)
        for index in parameters.indices {
            guard let step = tensors["\(index).step"] else {
                guard restored[index].isEmpty else { throw TensorError.invalidArgument(op: op, reason: "parameter \(index) has moments but no 'step'") }
                continue
            }
            // Vidi saves int64; PyTorch keeps `step` as a float tensor: accept both.
            counts[index] = step.dtype == .int64 ? Int(try step.item(Int64.self)) : Int(try step.item())
        }
        state = restored
        steps = counts
    }
}
