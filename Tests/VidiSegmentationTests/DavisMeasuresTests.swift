import Testing
@testable import VidiSegmentation

/// Hand-checked values of the DAVIS measures' rules (reference: davis2017-evaluation's `metrics.py` and
/// `utils.db_statistics`, the arithmetic written out in each test).
@Suite struct DavisMeasuresTests {
    /// A `width x height` mask with the rectangle [x0, x1) x [y0, y1) set.
    func box(_ width: Int, _ height: Int, x: Range<Int>, y: Range<Int>) -> [Bool] {
        (0..<(width * height)).map { x.contains($0 % width) && y.contains($0 / width) }
    }

    @Test func jaccardOfShiftedSquaresAndOfTwoEmptyMasks() {
        // 4x4 squares offset by 2 columns: intersection 8, union 24.
        let a = box(10, 10, x: 0..<4, y: 0..<4), b = box(10, 10, x: 2..<6, y: 0..<4)
        #expect(DavisMeasures.jaccard(a, b) == 8.0 / 24.0)
        let empty = [Bool](repeating: false, count: 100)
        #expect(DavisMeasures.jaccard(empty, empty) == 1)
        #expect(DavisMeasures.jaccard(a, empty) == 0)
    }

    @Test func boundaryMapMarksPixelsBeforeEachEdge() {
        // A 2x2 block at (1,1)-(2,2) in 4x4: boundary is where a pixel differs from E, S or SE.
        let mask = box(4, 4, x: 1..<3, y: 1..<3)
        let expected: [[Int]] = [[1, 1, 1, 0],
                                 [1, 0, 1, 0],
                                 [1, 1, 1, 0],
                                 [0, 0, 0, 0]]
        let map = DavisMeasures.boundaryMap(mask, width: 4, height: 4)
        #expect(map.map { $0 ? 1 : 0 } == expected.flatMap { $0 })
        // Last row compares only with the right neighbour, last column only with the one below; corner 0.
        let edge = box(3, 3, x: 2..<3, y: 2..<3)
        #expect(DavisMeasures.boundaryMap(edge, width: 3, height: 3).map { $0 ? 1 : 0 } == [0, 0, 0,
                                                                                             0, 1, 1,
                                                                                             0, 1, 0])
    }

    @Test func toleranceIsCeilOfPointEightPercentOfTheDiagonal() {
        // 480p: 0.008 * sqrt(480^2 + 854^2) = 7.84 -> 8; 50x70: 0.008 * 86.0 = 0.69 -> 1.
        #expect(DavisMeasures.boundaryTolerance(width: 854, height: 480) == 8)
        #expect(DavisMeasures.boundaryTolerance(width: 70, height: 50) == 1)
    }

    @Test func dilationUsesADiskOfTheTolerance() {
        // A single pixel dilated by radius 2: the disk x^2 + y^2 <= 4 has 13 pixels.
        var map = [Bool](repeating: false, count: 49)
        map[24] = true
        #expect(DavisMeasures.dilate(map, width: 7, height: 7, radius: 2).filter { $0 }.count == 13)
    }

    @Test func boundaryFRulesForEmptyBoundaries() {
        let empty = [Bool](repeating: false, count: 100), a = box(10, 10, x: 2..<6, y: 2..<6)
        #expect(DavisMeasures.boundaryF(empty, empty, width: 10, height: 10) == 1)  // P = R = 1
        #expect(DavisMeasures.boundaryF(a, empty, width: 10, height: 10) == 0)      // P = 1, R = 0
        #expect(DavisMeasures.boundaryF(empty, a, width: 10, height: 10) == 0)      // P = 0, R = 1
        #expect(DavisMeasures.boundaryF(a, a, width: 10, height: 10) == 1)
    }

    @Test func statisticsOfFiveFrames() {
        // linspace(1, 5, 5) - 1 = [0, 1, 2, 3, 4]: first bin v[0...1], last bin v[3...4].
        let stats = DavisStatistics([1, 0.8, 0.5, 0.2, 0.0])
        #expect(abs(stats.mean - 0.5) < 1e-15)
        #expect(stats.recall == 2.0 / 5.0)               // only 1 and 0.8 exceed 0.5
        #expect(abs(stats.decay - (0.9 - 0.1)) < 1e-15)
        #expect(DavisStatistics.binEdges(count: 256) == [0, 64, 128, 191, 255])  // 128.5 + 1e-10 rounds up
        #expect(DavisStatistics.binEdges(count: 300) == [0, 75, 150, 224, 43])  // 299 wraps to 43
    }
}
