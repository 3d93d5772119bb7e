// A synthetic action dataset for linear-probe checks of pretext features (issue #10): a textured square
// moving over a textured static background, one motion pattern per class. Not from a paper: the classes
// differ only in motion, so a probe over appearance alone is at chance and motion-aware features win.
import VidiRandom

public enum SyntheticActions {
    /// Class names in label order: the square's direction of travel.
    public static let classes = ["right", "left", "down", "up"]

    /// `count` RGB frames (side x side x 3 bytes each) of class `label`.
    public static func frames(label: Int, side: Int = 112, count: Int = 80, random: inout RandomGenerator) throws -> [[UInt8]] {
        guard classes.indices.contains(label), side >= 48, count >= 2 else {
            throw PretextError.invalidArgument("synthetic action needs a label in 0..<\(classes.count), side >= 48 and >= 2 frames")
        }
        let background = texture(side: side, cell: 8, random: &random)
        let square = 16 + random.integer(0, 16)
        let pattern = texture(side: square, cell: 4, random: &random)
        let speed = 1 + random.nextUniformDouble() * 1.5
        let (dx, dy): (Double, Double) = [(speed, 0), (-speed, 0), (0, speed), (0, -speed)][label]
        let span = Double(side - square)
        // Start so the whole travel stays inside the picture (bouncing back would mix classes).
        let travel = speed * Double(count - 1)
        var x = dx > 0 ? random.uniform(0, max(0, span - travel)) : dx < 0 ? random.uniform(min(span, travel), span) : random.uniform(0, span)
        var y = dy > 0 ? random.uniform(0, max(0, span - travel)) : dy < 0 ? random.uniform(min(span, travel), span) : random.uniform(0, span)
        var frames: [[UInt8]] = []
        for _ in 0..<count {
            var frame = background
            let left = min(side - square, max(0, Int(x.rounded()))), top = min(side - square, max(0, Int(y.rounded())))
            for row in 0..<square {
                for column in 0..<square {
                    for c in 0..<3 { frame[((top + row) * side + left + column) * 3 + c] = pattern[(row * square + column) * 3 + c] }
                }
            }
            frames.append(frame)
            x += dx
            y += dy
        }
        return frames
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
