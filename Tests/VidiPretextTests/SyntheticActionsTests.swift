import Testing
import VidiPretext
import VidiRandom

/// The synthetic action set of the linear-probe experiment. Expected values are the class definitions
/// (direction of travel per label) and the pixels themselves: the square's content at its track position is
/// the same in every frame and nothing outside it changes.
@Suite struct SyntheticActionsTests {
    /// Constant velocity along the labelled axis and sign, nothing across it, the whole travel inside the
    /// picture (an earlier version let fast squares stop at the border for most of the video), at least 60 %
    /// of the free span travelled.
    @Test(arguments: 0..<4) func trackMovesAsLabelledAndStaysInside(label: Int) throws {
        let direction = [(1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0)][label]
        for seed in UInt64(0)..<20 {
            var random = RandomGenerator(seed: seed)
            let (square, positions) = try SyntheticActions.track(label: label, side: 112, count: 80, random: &random)
            let span = Double(112 - square)
            #expect(positions.allSatisfy { $0.x >= 0 && $0.x <= span && $0.y >= 0 && $0.y <= span })
            let steps = zip(positions.dropFirst(), positions).map { ($0.x - $1.x, $0.y - $1.y) }
            let along = steps.map { $0.0 * direction.0 + $0.1 * direction.1 }, across = steps.map { $0.0 * direction.1 + $0.1 * direction.0 }
            #expect(along.allSatisfy { $0 > 0 && abs($0 - along[0]) < 1e-9 })
            #expect(across.allSatisfy { $0 == 0 })
            #expect(along[0] * 79 >= 0.6 * span - 1e-9 && along[0] * 79 <= span + 1e-9)
        }
    }

    /// The frames draw the square at the track's rounded positions: its box holds the same pixels in every
    /// frame, and outside the boxes of frames 0 and t the two frames are identical.
    @Test func framesDrawTheSquareAlongTheTrack() throws {
        for label in 0..<4 {
            var random = RandomGenerator(seed: UInt64(label) + 100)
            var copy = random
            let frames = try SyntheticActions.frames(label: label, side: 64, count: 12, random: &random)
            let (square, positions) = try SyntheticActions.track(label: label, side: 64, count: 12, random: &copy)
            let boxes = positions.map { (Int($0.x.rounded()), Int($0.y.rounded())) }
            func patch(_ t: Int) -> [UInt8] {
                (0..<square).flatMap { row in
                    let start = ((boxes[t].1 + row) * 64 + boxes[t].0) * 3
                    return Array(frames[t][start..<(start + square * 3)])
                }
            }
            func inside(_ t: Int, _ x: Int, _ y: Int) -> Bool {
                x >= boxes[t].0 && x < boxes[t].0 + square && y >= boxes[t].1 && y < boxes[t].1 + square
            }
            #expect(frames.count == 12 && frames.allSatisfy { $0.count == 64 * 64 * 3 })
            for t in 1..<12 {
                #expect(patch(t) == patch(0))
                var outsideEqual = true
                for y in 0..<64 { for x in 0..<64 where !inside(0, x, y) && !inside(t, x, y) {
                    for c in 0..<3 where frames[t][(y * 64 + x) * 3 + c] != frames[0][(y * 64 + x) * 3 + c] { outsideEqual = false }
                } }
                #expect(outsideEqual)
            }
            #expect(boxes.last! != boxes[0])
        }
    }

    @Test func rejectsBadArguments() {
        var random = RandomGenerator(seed: 0)
        #expect(throws: PretextError.self) { _ = try SyntheticActions.frames(label: 4, random: &random) }
        #expect(throws: PretextError.self) { _ = try SyntheticActions.frames(label: 0, side: 32, random: &random) }
        #expect(throws: PretextError.self) { _ = try SyntheticActions.frames(label: 0, count: 1, random: &random) }
    }
}
