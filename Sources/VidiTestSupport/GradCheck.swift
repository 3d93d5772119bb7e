import Testing
import VidiTensor

/// Checks autograd gradients against central finite differences.
///
/// The output of `function` is projected to a scalar `L = Σ out · w` with fixed pseudo-random weights `w`,
/// so every output element's gradient path is exercised. For each float32 input, the gradient from
/// `backward()` is compared with `(L(x + ε) − L(x − ε)) / 2ε` per element (L evaluated in Double).
/// Float32 finite differences are noisy: keep inputs O(1), away from kinks (relu at 0, ties in max).
/// Non-float inputs (indices) are passed through unchanged.
@discardableResult
public func gradCheck(_ inputs: [Tensor], epsilon: Float = 1e-2, rtol: Float = 1e-2, atol: Float = 1e-3,
                      sourceLocation: SourceLocation = #_sourceLocation,
                      _ function: ([Tensor]) throws -> Tensor) throws -> Bool {
    let tracked = inputs.map { $0.dtype == .float32 ? $0.detached().contiguous().requiresGrad() : $0 }
    let output = try function(tracked)
    var generator = RandomGenerator(seed: 0x5EED)
    let weights = Tensor.uniform(output.shape, low: 0.5, high: 1.5, generator: &generator)
    try (output * weights).sum().backward()
    let w = weights.scalars

    func projected(_ values: [Tensor]) throws -> Double {
        let out = try withNoGrad { try function(values) }.scalars
        var total = 0.0
        for (o, k) in zip(out, w) { total += Double(o) * Double(k) }
        return total
    }

    var allPassed = true
    for (index, input) in tracked.enumerated() where input.dtype == .float32 {
        let analytic = input.grad ?? Tensor.zeros(input.shape)
        var numeric = [Float](repeating: 0, count: input.elementCount)
        var base = tracked.map { $0.detached() }
        let original = input.scalars
        for element in 0..<input.elementCount {
            var values = original
            values[element] = original[element] + epsilon
            base[index] = try Tensor(values, shape: input.shape)
            let plus = try projected(base)
            values[element] = original[element] - epsilon
            base[index] = try Tensor(values, shape: input.shape)
            let minus = try projected(base)
            numeric[element] = Float((plus - minus) / (2 * Double(epsilon)))
        }
        let closeness = Closeness(analytic, try Tensor(numeric, shape: input.shape), rtol: rtol, atol: atol)
        if !closeness.passed {
            allPassed = false
            Issue.record("gradient of input \(index) (shape \(input.shape)) differs from finite differences: \(closeness)",
                         sourceLocation: sourceLocation)
        }
    }
    return allPassed
}
