/// Temporal intersection over union of two segments, in the arithmetic order of ActivityNet's
/// `utils.segment_iou` (intersection clipped at 0; union = candidate length + target length − intersection,
/// no +1), so thresholds compare the same doubles the official code compares.
@inlinable
public func temporalIoU(_ target: (start: Double, end: Double), _ candidate: (start: Double, end: Double)) -> Double {
    let intersection = Swift.max(Swift.min(target.end, candidate.end) - Swift.max(target.start, candidate.start), 0)
    let union = (candidate.end - candidate.start) + (target.end - target.start) - intersection
    return intersection / union
}

/// `numpy.linspace(start, stop, count)`: `i · step + start`, the last value exactly `stop`.
public func linspace(_ start: Double, _ stop: Double, count: Int) -> [Double] {
    guard count > 1 else { return count == 1 ? [start] : [] }
    let step = (stop - start) / Double(count - 1)
    var values = (0..<count).map { Double($0) * step + start }
    values[count - 1] = stop
    return values
}

/// The tIoU thresholds of a `start:step:stop` range (`0.3:0.1:0.7`), a list (`0.3,0.5,0.7`) or one value, as
/// `numpy.linspace(start, stop, round((stop − start) / step) + 1)` builds them.
public func parseThresholds(_ text: String) throws(LocalizationError) -> [Double] {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharactersInSpaces() }
    if parts.count == 3 {
        guard let start = Double(parts[0]), let step = Double(parts[1]), let stop = Double(parts[2]), step > 0, stop >= start else {
            throw .invalidArgument("tIoU range '\(text)': expected start:step:stop with step > 0 and stop >= start")
        }
        let steps = ((stop - start) / step).rounded()
        guard steps <= 1000 else { throw .invalidArgument("tIoU range '\(text)' has more than 1,000 thresholds") }
        let thresholds = linspace(start, stop, count: Int(steps) + 1)
        guard thresholds.allSatisfy({ $0 > 0 && $0 <= 1 }) else { throw .invalidArgument("tIoU thresholds must lie in (0, 1]: '\(text)'") }
        return thresholds
    }
    guard parts.count == 1 else { throw .invalidArgument("tIoU '\(text)': expected start:step:stop or a comma-separated list") }
    var thresholds: [Double] = []
    for item in text.split(separator: ",") {
        guard let value = Double(item.trimmingCharactersInSpaces()), value > 0, value <= 1 else {
            throw .invalidArgument("tIoU threshold '\(item)' is not a number in (0, 1]")
        }
        thresholds.append(value)
    }
    guard !thresholds.isEmpty else { throw .invalidArgument("no tIoU thresholds in '\(text)'") }
    return thresholds
}

extension Substring {
    func trimmingCharactersInSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

/// Indices of `keys` in the order of numpy's `keys.argsort()[::-1]` for distinct keys and for ties resolved
/// as a stable sort would (later index first); NaN sorts first, as numpy puts it last before the reversal.
/// (numpy's default quicksort is stable for up to 16 elements; beyond that its order of exact ties is an
/// implementation detail of numpy, which this does not copy.)
func descendingOrder(_ keys: [Double]) -> [Int] {
    keys.indices.sorted { a, b in
        let ka = keys[a], kb = keys[b]
        if ka.isNaN != kb.isNaN { return ka.isNaN }
        if ka != kb && !ka.isNaN { return ka > kb }
        return a > b
    }
}
