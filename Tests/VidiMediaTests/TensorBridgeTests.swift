import Testing
import VidiMedia
import VidiMediaTensors
import VidiTensor

@Suite struct TensorBridgeTests {
    @Test func framesAndMotionBecomeTensors() throws {
        let reader = try VideoReader(path: media("h264-closedgop.mp4"))
        let rgb = try reader.frame(at: 5, FrameOutput(size: .exact(width: 32, height: 24)))
        let planar = try reader.frame(at: 5, FrameOutput(size: .exact(width: 32, height: 24), layout: .planarFloat))
        let a = try rgb.planarTensor(), b = try planar.planarTensor()
        #expect(a.shape == [3, 24, 32] && b.shape == [3, 24, 32])
        #expect(try a.toArray(Float.self) == planar.planar)
        #expect(try b.toArray(Float.self) == planar.planar)

        let motion = try reader.motionVectors()
        let p = try #require(motion.first { !$0.vectors.isEmpty })
        let vectors = try p.vectorTensor()
        #expect(vectors.shape == [p.vectors.count, 10])
        #expect(try vectors.toArray(Int32.self) == p.vectors.flatMap(\.row))
        #expect(try motion[0].vectorTensor().shape == [0, 10])
        let map = try DenseMotion.perGrid(p, cell: 8).tensor()
        #expect(map.shape == [30, 40, 2])
    }
}
