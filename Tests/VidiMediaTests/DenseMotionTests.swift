import Testing
import VidiMedia

/// Dense maps from hand-made vectors (values worked out by hand from the documented convention) and
/// invariants on a real decode.
@Suite struct DenseMotionTests {
    static func vector(source: Int32 = -1, w: Int32, h: Int32, dstX: Int32, dstY: Int32, motionX: Int32, motionY: Int32, scale: Int32 = 4) -> MotionVector {
        MotionVector(source: source, w: w, h: h, srcX: dstX + motionX / scale, srcY: dstY + motionY / scale,
                     dstX: dstX, dstY: dstY, motionX: motionX, motionY: motionY, motionScale: scale)
    }

    @Test func perPixelFillsEachBlockWithDstMinusSrc() {
        // 32 x 16 picture. Block A: 16x16 at centre (8, 8), motion (-8, 4)/4 -> dst - src = (2, -1).
        // Block B: 8x8 at centre (28, 4) on the right edge, motion (6, 0)/4 -> (-1.5, 0).
        // Block C: a future-reference vector (source +1), ignored.
        let motion = FrameMotion(index: 1, timestamp: 0.04, pictureType: .p, width: 32, height: 16, vectors: [
            Self.vector(w: 16, h: 16, dstX: 8, dstY: 8, motionX: -8, motionY: 4),
            Self.vector(w: 8, h: 8, dstX: 28, dstY: 4, motionX: 6, motionY: 0),
            Self.vector(source: 1, w: 8, h: 8, dstX: 20, dstY: 12, motionX: 40, motionY: 40),
        ])
        let map = DenseMotion.perPixel(motion)
        #expect(map.shape == [16, 32, 2])
        func at(_ x: Int, _ y: Int) -> (Float, Float) { (map.values[(y * 32 + x) * 2], map.values[(y * 32 + x) * 2 + 1]) }
        #expect(at(0, 0) == (2, -1) && at(15, 15) == (2, -1))
        #expect(at(16, 0) == (0, 0))
        #expect(at(24, 0) == (-1.5, 0) && at(31, 7) == (-1.5, 0))
        #expect(at(31, 8) == (0, 0))
        #expect(at(20, 12) == (0, 0))  // the future-reference block stays empty
        let nonzero = stride(from: 0, to: map.values.count, by: 2).filter { map.values[$0] != 0 || map.values[$0 + 1] != 0 }
        #expect(nonzero.count == 16 * 16 + 8 * 8)
    }

    @Test func perGridAveragesCells() throws {
        let motion = FrameMotion(index: 1, timestamp: 0, pictureType: .p, width: 32, height: 16, vectors: [
            Self.vector(w: 8, h: 8, dstX: 4, dstY: 4, motionX: -16, motionY: 8),  // (4, -2) over [0,8) x [0,8)
        ])
        let grid8 = try DenseMotion.perGrid(motion, cell: 8)
        #expect(grid8.shape == [2, 4, 2])
        #expect(Array(grid8.values.prefix(4)) == [4, -2, 0, 0])
        let grid16 = try DenseMotion.perGrid(motion, cell: 16)
        #expect(grid16.shape == [1, 2, 2])
        #expect(grid16.values == [1, -0.5, 0, 0])  // a quarter of the 16x16 cell moves
        let grid5 = try DenseMotion.perGrid(motion, cell: 5)
        #expect(grid5.shape == [3, 6, 2])  // floor(16/5) x floor(32/5)
        #expect(throws: MediaError.self) { try DenseMotion.perGrid(motion, cell: 0) }
    }

    @Test func realFramesAgreeWithTheirVectors() throws {
        let motion = try VideoReader(path: media("h264-closedgop.mp4")).motionVectors()
        let pFrame = try #require(motion.first { $0.pictureType == .p && !$0.vectors.isEmpty })
        let map = DenseMotion.perPixel(pFrame)
        #expect(map.shape == [240, 320, 2])
        // I+P closed GOP: blocks do not overlap, so each block centre holds its own -motion / scale.
        for v in pFrame.vectors where v.source < 0 {
            let p = (Int(v.dstY) * 320 + Int(v.dstX)) * 2
            #expect(map.values[p] == Float(-v.motionX) / Float(v.motionScale))
            #expect(map.values[p + 1] == Float(-v.motionY) / Float(v.motionScale))
        }
        let iFrame = try #require(motion.first { $0.pictureType == .i })
        #expect(DenseMotion.perPixel(iFrame).values.allSatisfy { $0 == 0 })
        // Grid means are block means: the total over cells times cell area equals the per-pixel total.
        let grid = try DenseMotion.perGrid(pFrame, cell: 16)
        let pixelTotal = map.values.reduce(0, +), gridTotal = grid.values.reduce(0, +) * 256
        #expect(abs(pixelTotal - gridTotal) < 1e-2 * max(1, abs(pixelTotal)))
    }
}
