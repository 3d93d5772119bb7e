import Testing
import VidiMedia
import VidiTensor
import VidiTestSupport

/// The README's library examples, run as written (on a fixture), so the front page cannot rot.
@Suite struct ReadmeExampleTests {
    @Test func mediaExample() throws {
        let reader = try VideoReader(path: Fixtures.path("media/h264-bframes-opengop.mp4"))
        let indices = try FrameSampler.uniform(count: 8).indices(for: reader.info)
        let frames = try reader.frames(at: indices, FrameOutput(size: .shorterSide(224)))
        let motion = try reader.motionVectors()
        #expect(frames.count == 8)
        #expect(frames.allSatisfy { $0.height == 224 && $0.width == 299 && $0.rgb?.count == 224 * 299 * 3 })
        #expect(motion.count == reader.info.frameCount)
    }

    @Test func tensorExample() throws {
        var generator = RandomGenerator(seed: 0)
        let w = Tensor.normal([64, 10], generator: &generator).requiresGrad()
        let x = Tensor.normal([32, 64], generator: &generator)
        let loss = try x.matmul(w).relu().mean()
        try loss.backward()
        #expect(w.grad?.shape == [64, 10])
    }
}
