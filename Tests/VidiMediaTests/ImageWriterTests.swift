import Foundation
import Testing
import VidiMedia
import VidiTensor
import VidiTestSupport

@Suite("ImageWriter")
struct ImageWriterTests {
    @Test("PNG decodes back bit-exactly with the ffmpeg CLI and with a stdlib-only Python decoder",
          arguments: [(64, 48), (33, 17)])
    func pngRoundTrip(size: (Int, Int)) throws {
        let (width, height) = size
        let pixels = WriterTestImages.rgb(width: width, height: height, noise: 64)
        let dir = try Fixtures.temporaryDirectory()
        let path = dir.appendingPathComponent("x.png").path
        try ImageWriter.png.write(rgb: pixels, width: width, height: height, to: path)

        #expect(try WriterTestImages.decodeWithFFmpeg(path) == pixels)
        let python = try runTool("python3", [Fixtures.repositoryRoot.appendingPathComponent("Tools/read_png.py").path, path])
        #expect(python.status == 0, "\(python.stderr)")
        #expect(python.stderr == "\(width)x\(height)\n")
        #expect([UInt8](python.stdout) == pixels)
    }

    @Test("JPEG is close to the input (PSNR from an ffmpeg CLI decode) and quality trades size for error")
    func jpegQuality() throws {
        let (width, height) = (96, 64)
        let pixels = WriterTestImages.rgb(width: width, height: height, noise: 4)
        let dir = try Fixtures.temporaryDirectory()
        var sizes: [Int] = []
        var psnrs: [Double] = []
        for quality in [30, 95] {
            let path = dir.appendingPathComponent("q\(quality).jpg").path
            try ImageWriter.jpeg(quality: quality).write(rgb: pixels, width: width, height: height, to: path)
            let probe = try runTool("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,width,height",
                                                "-of", "csv=p=0", path])
            #expect(probe.text.trimmingCharacters(in: .whitespacesAndNewlines) == "mjpeg,\(width),\(height)")
            let decoded = try WriterTestImages.decodeWithFFmpeg(path)
            try #require(decoded.count == pixels.count)
            psnrs.append(WriterTestImages.psnr(decoded, pixels))
            sizes.append(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0)
        }
        #expect(psnrs[1] > 32, "quality 95 PSNR \(psnrs[1]) dB")
        #expect(psnrs[0] > 26, "quality 30 PSNR \(psnrs[0]) dB")
        #expect(psnrs[1] > psnrs[0] + 1)
        #expect(sizes[1] > sizes[0])
    }

    @Test("JPEG of odd size keeps its size")
    func jpegOddSize() throws {
        let pixels = WriterTestImages.rgb(width: 31, height: 15)
        let bytes = try ImageWriter.jpeg(quality: 90).encode(rgb: pixels, width: 31, height: 15)
        #expect(bytes.prefix(2) == [0xFF, 0xD8])  // SOI marker
        let dir = try Fixtures.temporaryDirectory()
        let path = dir.appendingPathComponent("odd.jpg").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try WriterTestImages.decodeWithFFmpeg(path).count == 31 * 15 * 3)
    }

    @Test("npy is uint8 (H, W, 3) that NPYFormat and numpy read back unchanged")
    func npy() throws {
        let pixels = WriterTestImages.rgb(width: 5, height: 4, noise: 64)
        let dir = try Fixtures.temporaryDirectory()
        let path = dir.appendingPathComponent("x.npy").path
        try ImageWriter.npy.write(rgb: pixels, width: 5, height: 4, to: path)
        let array = try NPYFormat.read(path: path)
        #expect(array.descr == "|u1" && array.shape == [4, 5, 3] && array.data == pixels)
        let python = try runTool("python3", ["-c", """
            import numpy, sys; a = numpy.load(sys.argv[1]); print(a.dtype, a.shape, int(a[3, 4, 2]), int(a.sum()))
            """, path])
        #expect(python.text == "uint8 (4, 5, 3) \(pixels[(3 * 5 + 4) * 3 + 2]) \(pixels.reduce(0) { $0 + Int($1) })\n")
    }

    @Test("bad arguments and unwritable paths throw errors naming the file")
    func badArguments() throws {
        let pixels = WriterTestImages.rgb(width: 8, height: 8)
        #expect(throws: MediaError.self) { try ImageWriter.png.encode(rgb: pixels, width: 8, height: 7) }
        #expect(throws: MediaError.self) { try ImageWriter.png.encode(rgb: [], width: 0, height: 0) }
        #expect(throws: MediaError.self) { try ImageWriter.npy.encode(rgb: pixels, width: -8, height: -8) }
        #expect(throws: MediaError.self) { try ImageWriter.jpeg(quality: 0).encode(rgb: pixels, width: 8, height: 8) }
        let missing = "/nonexistent-dir-\(UUID().uuidString)/x.png"
        do {
            try ImageWriter.png.write(rgb: pixels, width: 8, height: 8, to: missing)
            Issue.record("writing into a missing directory succeeded")
        } catch let error as MediaError {
            #expect(error.description.contains(missing))
            #expect(error.description.contains("No such file or directory"))
        }
    }

    @Test("format names parse as on the command line")
    func formatNames() {
        #expect(ImageWriter(formatName: "PNG") == .png)
        #expect(ImageWriter(formatName: "jpeg", jpegQuality: 70) == .jpeg(quality: 70))
        #expect(ImageWriter(formatName: "npy")?.fileExtension == "npy")
        #expect(ImageWriter(formatName: "gif") == nil)
    }
}
