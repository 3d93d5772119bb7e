import Foundation
import Testing
import VidiMedia
import VidiTestSupport

@Suite("VideoWriter")
struct VideoWriterTests {
    /// ffprobe's view of the first video stream: codec, size, decoded frame count, frame rate.
    private func probe(_ path: String) throws -> [String] {
        let result = try runTool("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                                             "stream=codec_name,width,height,nb_read_frames,avg_frame_rate,pix_fmt",
                                             "-of", "default=noprint_wrappers=1", path])
        return result.text.split(separator: "\n").map(String.init).sorted()
    }

    @Test("N RGB frames become an H.264 MP4 ffprobe reads as N frames, right size and rate, close to the input")
    func writesH264() throws {
        let (width, height, count) = (64, 48, 12)
        let dir = try Fixtures.temporaryDirectory()
        let path = dir.appendingPathComponent("out.mp4").path
        let writer = try VideoWriter(path: path, width: width, height: height,
                                     options: .init(fps: 10, crf: 18, preset: "veryfast", threads: 1))
        var input: [UInt8] = []
        for t in 0..<count {
            let frame = WriterTestImages.rgb(width: width, height: height, t: t, noise: 2)
            input += frame
            try writer.append(rgb: frame)
        }
        try writer.finish()
        try writer.finish()  // idempotent
        #expect(writer.frameCount == count)
        #expect(try probe(path) == ["avg_frame_rate=10/1", "codec_name=h264", "height=48", "nb_read_frames=12",
                                    "pix_fmt=yuv420p", "width=64"])
        let decoded = try WriterTestImages.decodeWithFFmpeg(path)
        try #require(decoded.count == input.count)
        // yuv420p chroma subsampling plus CRF 18 on a noisy synthetic image: 30 dB is comfortably met.
        let psnr = WriterTestImages.psnr(decoded, input)
        #expect(psnr > 30, "PSNR \(psnr) dB")
        #expect(throws: MediaError.self) { try writer.append(rgb: input.prefix(width * height * 3).map { $0 }) }
    }

    @Test("odd sizes are padded to even by repeating the edge")
    func oddSizePadded() throws {
        let dir = try Fixtures.temporaryDirectory()
        let path = dir.appendingPathComponent("odd.mp4").path
        let writer = try VideoWriter(path: path, width: 21, height: 15, options: .init(preset: "ultrafast", threads: 1))
        #expect(writer.encodedWidth == 22 && writer.encodedHeight == 16)
        let frame = WriterTestImages.rgb(width: 21, height: 15)
        for _ in 0..<3 { try writer.append(rgb: frame) }
        try writer.finish()
        let info = try probe(path)
        #expect(info.contains("width=22") && info.contains("height=16") && info.contains("nb_read_frames=3"))
    }

    @Test("bad arguments throw errors naming the file instead of crashing")
    func badArguments() throws {
        let dir = try Fixtures.temporaryDirectory()
        let path = dir.appendingPathComponent("bad.mp4").path
        #expect(throws: MediaError.self) { try VideoWriter(path: path, width: 0, height: 16) }
        #expect(throws: MediaError.self) { try VideoWriter(path: path, width: 16, height: 16, options: .init(fps: 0)) }
        #expect(throws: MediaError.self) { try VideoWriter(path: path, width: 16, height: 16, options: .init(crf: 60)) }
        #expect(throws: MediaError.self) {
            try VideoWriter(path: path, width: 16, height: 16, options: .init(preset: "warp-speed"))
        }
        let writer = try VideoWriter(path: path, width: 16, height: 16, options: .init(preset: "ultrafast"))
        #expect(throws: MediaError.self) { try writer.append(rgb: [UInt8](repeating: 0, count: 10)) }
        #expect(throws: MediaError.self) { try writer.finish() }  // nothing appended

        let unwritable = "/nonexistent-dir-\(UUID().uuidString)/x.mp4"
        do {
            _ = try VideoWriter(path: unwritable, width: 16, height: 16)
            Issue.record("opening an unwritable path succeeded")
        } catch let error as MediaError {
            #expect(error.description.contains(unwritable))
        }
    }
}
