// A synthetic action dataset for linear-probe checks of pretext features (issue #10): a textured square
// moving over a textured static background, one motion pattern per class. Not from a paper: the classes
// differ only in motion, so a probe over appearance alone is at chance and motion-aware features win.
import VidiRandom

public enum SyntheticActions {
    /// Class names in label order: the square's direction of travel.
    public static let classes = ["right", "left", "down", "up"]

    /// The fraction of the free span (side - square) the square travels over the video: at least 0.6 so
    /// every video shows clear motion, at most 1 so the square never stops at the border (a square parked
    /// at the edge for half the video shows no motion at all).
    public static let travelFraction: ClosedRange<Double> = 0.6...1

    /// The square's side and its top-left corner in each of `count` frames, for class `label`: constant
    /// velocity along the class's axis, the whole travel inside the picture (no clamping at the border).
    public static func track(label: Int, side: Int, count: Int, random: inout RandomGenerator) throws -> (square: Int, positions: [(x: Double, y: Double)]) {
        guard classes.indices.contains(label), side >= 48, count >= 2 else {
            throw PretextError.invalidArgument("synthetic action needs a label in 0..<\(classes.count), side >= 48 and >= 2 frames")
        }
        let square = 16 + random.integer(0, 16)
        let span = Double(side - square)
        let travel = span * random.uniform(travelFraction.lowerBound, travelFraction.upperBound)
        let step = travel / Double(count - 1)
        let (dx, dy): (Double, Double) = [(step, 0), (-step, 0), (0, step), (0, -step)][label]
        // Along the motion axis the start leaves room for the whole travel; across it, anywhere.
        func start(_ velocity: Double) -> Double {
            velocity > 0 ? random.uniform(0, span - travel) : velocity < 0 ? random.uniform(travel, span) : random.uniform(0, span)
        }
        let x0 = start(dx), y0 = start(dy)
        return (square, (0..<count).map { (x0 + dx * Double($0), y0 + dy * Double($0)) })
    }

    /// `count` RGB frames (side x side x 3 bytes each) of class `label`.
    public static func frames(label: Int, side: Int = 112, count: Int = 80, random: inout RandomGenerator) throws -> [[UInt8]] {
        let (square, positions) = try track(label: label, side: side, count: count, random: &random)
        let background = texture(side: side, cell: 8, random: &random)
        let pattern = texture(side: square, cell: 4, random: &random)
        return positions.map { position in
            var frame = background
            let left = min(side - square, max(0, Int(position.x.rounded()))), top = min(side - square, max(0, Int(position.y.rounded())))
            for row in 0..<square {
                for column in 0..<square {
                    for c in 0..<3 { frame[((top + row) * side + left + column) * 3 + c] = pattern[(row * square + column) * 3 + c] }
                }
            }
            return frame
        }
    }

    /// Random colour blocks of `cell` pixels.
    static func texture(side: Int, cell: Int, random: inout RandomGenerator) -> [UInt8] {
        let cells = (side + cell - 1) / cell
        let colours = (0..<(cells * cells * 3)).map { _ in UInt8(truncatingIfNeeded: random.next() >> 56) }
        var out = [UInt8](repeating: 0, count: side * side * 3)
        for y in 0..<side { for x in 0..<side { for c in 0..<3 { out[(y * side + x) * 3 + c] = colours[((y / cell) * cells + x / cell) * 3 + c] } } }
        return out
    }
}
