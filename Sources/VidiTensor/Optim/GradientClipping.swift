import Foundation

/// Gradient clipping with PyTorch's semantics (`torch.nn.utils.clip_grad_norm_` / `clip_grad_value_`).
public enum GradientClipping {
    /// Scales all gradients together so their joint `normType`-norm is at most `maxNorm`; returns the
    /// norm before clipping. The scale is `min(1, maxNorm / (norm + 1e-6))`, as in PyTorch; a non-finite
    /// norm is returned as is and, like PyTorch by default, not treated as an error.
    @discardableResult
    public static func clipByNorm(_ parameters: [Parameter], maxNorm: Float, normType: Float = 2) throws -> Float {
        guard maxNorm >= 0, normType > 0 else {
            throw TensorError.invalidArgument(op: "clipByNorm", reason: "max norm \(maxNorm) must be >= 0 and norm type \(normType) > 0")
        }
        let withGrad = parameters.compactMap { parameter in parameter.grad.map { (parameter, $0) } }
        var accumulated = 0.0
        for (_, grad) in withGrad {
            try grad.withUnsafeBufferPointer { g in
                for value in g {
                    let magnitude = Double(Swift.abs(value))
                    if normType == .infinity {
                        accumulated = Swift.max(accumulated, magnitude)
                    } else {
                        accumulated += normType == 2 ? magnitude * magnitude : Foundation.pow(magnitude, Double(normType))
                    }
                }
            }
        }
        let total = normType == .infinity ? Float(accumulated)
            : Float(normType == 2 ? accumulated.squareRoot() : Foundation.pow(accumulated, 1 / Double(normType)))
        let scale = Swift.min(1, maxNorm / (total + 1e-6))
        for (parameter, grad) in withGrad {
            parameter.setGrad(try grad * scale)
        }
        return total
    }

    /// Clamps every gradient element to `[-clipValue, clipValue]`.
    public static func clipByValue(_ parameters: [Parameter], clipValue: Float) throws {
        guard clipValue >= 0 else {
            throw TensorError.invalidArgument(op: "clipByValue", reason: "clip value \(clipValue) must be >= 0")
        }
        for parameter in parameters {
            guard let grad = parameter.grad else { continue }
            parameter.setGrad(try grad.clamp(min: -clipValue, max: clipValue))
        }
    }
}
