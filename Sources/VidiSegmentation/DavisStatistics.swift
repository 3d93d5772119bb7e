/// Mean, recall and decay of one object's per-frame J or F values, as `davis2017/utils.py`'s
/// `db_statistics` computes them.
public struct DavisStatistics: Sendable, Equatable, Codable {
    public var mean: Double
    public var recall: Double
    public var decay: Double

    public init(mean: Double, recall: Double, decay: Double) {
        self.mean = mean
        self.recall = recall
        self.decay = decay
    }

    /// - mean: NaN-skipping mean (NaN when nothing is left);
    /// - recall: fraction of frames above 0.5;
    /// - decay: mean of the first of 4 bins minus mean of the last, bin edges
    ///   `round(linspace(1, N, 5) + 1e-10) - 1` cast to uint8 — so for N > 256 the edges wrap modulo 256,
    ///   exactly as the official code does — and bin i = values[edge_i ... edge_(i+1)] (inclusive, the upper edge + 1 also in uint8).
    public init(_ values: [Double]) {
        mean = Self.nanMean(values[...])
        recall = values.isEmpty ? .nan : Double(values.filter { $0 > 0.5 }.count) / Double(values.count)
        let edges = Self.binEdges(count: values.count)
        let first = Self.bin(values, edges[0], edges[1]), last = Self.bin(values, edges[3], edges[4])
        decay = Self.nanMean(first) - Self.nanMean(last)
    }

    /// The five bin edges for `count` frames.
    static func binEdges(count: Int) -> [Int] {
        (0...4).map { i -> Int in
            // np.linspace(1, N, 5)[i] = 1 + i * (N - 1) / 4, computed as numpy does (start + i * step).
            let step = (Double(count) - 1) / 4
            let value = i == 4 ? Double(count) : 1 + Double(i) * step
            // np.round is round-half-to-even; astype(np.uint8) wraps modulo 256.
            let rounded = (value + 1e-10).rounded(.toNearestOrEven) - 1
            return Int(rounded) & 0xFF
        }
    }

    /// `values[start:end + 1]` with Python's clamping (empty when start is past the end); `end + 1` is
    /// uint8 arithmetic in the official code, so 255 + 1 wraps to 0.
    private static func bin(_ values: [Double], _ start: Int, _ end: Int) -> ArraySlice<Double> {
        let lower = min(start, values.count), upper = min((end + 1) & 0xFF, values.count)
        return lower < upper ? values[lower..<upper] : values[0..<0]
    }

    private static func nanMean(_ values: ArraySlice<Double>) -> Double {
        var sum = 0.0, count = 0
        for v in values where !v.isNaN { sum += v; count += 1 }
        return count == 0 ? .nan : sum / Double(count)
    }
}
