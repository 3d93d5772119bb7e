import Testing
import VidiTensor

/// How far `actual` is from `expected`, elementwise: `|a − e| ≤ atol + rtol·|e|` must hold everywhere.
/// NaN matches NaN and infinities must match exactly.
public struct Closeness: CustomStringConvertible, Sendable {
    public let shapesMatch: Bool
    public let maxAbsoluteError: Float
    public let maxRelativeError: Float
    /// Row-major index of the worst violation, nil when every element is within tolerance.
    public let worstIndex: Int?
    public let worstActual: Float
    public let worstExpected: Float
    public let description: String

    public var passed: Bool { shapesMatch && worstIndex == nil }

    public init(_ actual: Tensor, _ expected: Tensor, rtol: Float, atol: Float) {
        guard actual.shape == expected.shape else {
            shapesMatch = false
            maxAbsoluteError = .infinity; maxRelativeError = .infinity
            worstIndex = nil; worstActual = .nan; worstExpected = .nan
            description = "shape \(actual.shape) (\(actual.dtype)) differs from expected \(expected.shape) (\(expected.dtype))"
            return
        }
        shapesMatch = true
        let a = actual.scalars, e = expected.scalars
        var maxAbs: Float = 0, maxRel: Float = 0, worst: Int? = nil, worstExcess: Float = 0
        for i in a.indices {
            let x = a[i], y = e[i]
            if x.isNaN && y.isNaN { continue }
            if x.isInfinite || y.isInfinite || x.isNaN || y.isNaN {
                if x != y, worstExcess < .infinity { worst = i; worstExcess = .infinity; maxAbs = .infinity }
                continue
            }
            let diff = Swift.abs(x - y)
            maxAbs = Swift.max(maxAbs, diff)
            if y != 0 { maxRel = Swift.max(maxRel, diff / Swift.abs(y)) }
            let excess = diff - (atol + rtol * Swift.abs(y))
            if excess > 0, excess > worstExcess { worst = i; worstExcess = excess }
        }
        maxAbsoluteError = maxAbs
        maxRelativeError = maxRel
        worstIndex = worst
        worstActual = worst.map { a[$0] } ?? 0
        worstExpected = worst.map { e[$0] } ?? 0
        var text = "max |error| \(maxAbs), max relative error \(maxRel) over \(a.count) elements (rtol \(rtol), atol \(atol))"
        if let worst { text += "; worst at flat index \(worst): \(a[worst]) vs expected \(e[worst])" }
        description = text
    }
}

/// Records a test issue unless `actual` matches `expected` within tolerance; the message gives the maximum
/// errors and the worst element. Returns whether it matched.
@discardableResult
public func expectClose(_ actual: Tensor, _ expected: Tensor, rtol: Float = 1e-5, atol: Float = 1e-6,
                        _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    let closeness = Closeness(actual, expected, rtol: rtol, atol: atol)
    if !closeness.passed {
        Issue.record("\(comment.isEmpty ? "" : comment + ": ")\(closeness)", sourceLocation: sourceLocation)
    } else if actual.dtype != expected.dtype {
        Issue.record("\(comment.isEmpty ? "" : comment + ": ")dtype \(actual.dtype) differs from expected \(expected.dtype)", sourceLocation: sourceLocation)
        return false
    }
    return closeness.passed
}
