import Foundation
import Testing
import VidiTensor
import VidiTestSupport

/// `vidi frames` names files `frame-<index zero-padded to 6 digits>`.
private func padded(_ index: Int) -> String {
    let digits = String(index)
    return "frame-" + String(repeating: "0", count: 6 - digits.count) + digits
}

@Suite("vidi frames and keyframes")
struct FramesCLITests {
    @Test("names sort in display order (frame-000009 before frame-000010); --unpadded-names gives frame-9")
    func zeroPaddedNames() throws {
        let path = VidiCLI.fixture("h264-closedgop.mp4")
        let out = try Fixtures.temporaryDirectory().path
        var result = try VidiCLI.run(["frames", path, "--out", out, "--indices", "9,10,2", "--format", "npy"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.sortedContents(out) == ["frame-000002.npy", "frame-000009.npy", "frame-000010.npy"])
        let old = try Fixtures.temporaryDirectory().path
        result = try VidiCLI.run(["frames", path, "--out", old, "--indices", "9,10", "--format", "npy", "--unpadded-names"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.sortedContents(old) == ["frame-10.npy", "frame-9.npy"])
    }

    @Test("--indices as npy: uint8 (H, W, 3) files named by display index, pixels of ffmpeg's frame at that index")
    func indicesAsNPY() throws {
        let path = VidiCLI.fixture("h264-bframes-opengop.mp4")
        let out = try Fixtures.temporaryDirectory().path
        let result = try VidiCLI.run(["frames", path, "--out", out, "--indices", "9,0,5", "--format", "npy"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.sortedContents(out) == ["frame-000000.npy", "frame-000005.npy", "frame-000009.npy"])

        let numpy = try Reference.python("""
            import sys, numpy
            for p in sys.argv[1:]:
                a = numpy.load(p); print(a.dtype, a.shape)
            """, ["0", "5", "9"].map { "\(out)/frame-00000\($0).npy" })
        #expect(numpy == String(repeating: "uint8 (240, 320, 3)\n", count: 3))

        // Reference: the ffmpeg CLI's decode. Colour conversion may round differently, so the test asks that
        // each written frame is close to ffmpeg's frame at the same index and closer to it than to its neighbours.
        let reference = try Reference.rgbFrames(path, width: 320, height: 240)
        try #require(reference.count == 75)
        for index in [0, 5, 9] {
            let array = try NPYFormat.read(path: "\(out)/\(padded(index)).npy")
            let same = Reference.meanAbsoluteDifference(array.data, reference[index])
            #expect(same < 2.5, "frame \(index): mean abs difference \(same)")
            for neighbour in [index - 1, index + 1] where neighbour >= 0 {
                #expect(same < Reference.meanAbsoluteDifference(array.data, reference[neighbour]))
            }
        }
    }

    @Test("--every 1 on frames that share a timestamp writes all 180, each ffmpeg's frame at that index")
    func everyFrameWhenTimestampsRepeat() throws {
        let path = VidiCLI.fixture("h264-dup-pts.mkv")  // 180 frames; 58-60 share one pts (make-fixtures.sh)
        let out = try Fixtures.temporaryDirectory().path
        let result = try VidiCLI.run(["frames", path, "--out", out, "--every", "1", "--format", "npy"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.sortedContents(out).count == 180)
        // Reference: the ffmpeg CLI's decode (FFmpeg 5.1, the same decoder and scaler), one output frame per
        // decoded frame (passthrough): byte-equal.
        let bytes = [UInt8](try runTool("ffmpeg", ["-v", "quiet", "-i", path, "-fps_mode", "passthrough",
                                                   "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]).stdout)
        let size = 128 * 96 * 3
        try #require(bytes.count == 180 * size)
        for index in [0, 8, 9, 58, 59, 60, 179] {
            let expected = Array(bytes[(index * size)..<((index + 1) * size)])
            #expect(try NPYFormat.read(path: "\(out)/\(padded(index)).npy").data == expected, "frame \(index)")
        }
    }

    @Test("--uniform with --short-side as PNG; --every as JPEG")
    func samplersAndFormats() throws {
        let path = VidiCLI.fixture("h264-closedgop.mp4")  // 50 frames
        let pngs = try Fixtures.temporaryDirectory().path
        var result = try VidiCLI.run(["frames", path, "--out", pngs, "--uniform", "4", "--short-side", "120"])
        #expect(result.status == 0, "\(result.stderr)")
        let names = FileManager.default.sortedContents(pngs)
        #expect(names.count == 4 && names.allSatisfy { $0.hasPrefix("frame-") && $0.hasSuffix(".png") })
        for name in names {
            let probe = try Reference.stream("\(pngs)/\(name)")
            #expect(probe["codec_name"] == "png" && probe["width"] == "160" && probe["height"] == "120")
        }

        let jpgs = try Fixtures.temporaryDirectory().path
        result = try VidiCLI.run(["frames", path, "--out", jpgs, "--every", "20", "--format", "jpg", "--size", "64x48"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.sortedContents(jpgs) == ["frame-000000.jpg", "frame-000020.jpg", "frame-000040.jpg"])
        let probe = try Reference.stream("\(jpgs)/frame-000020.jpg")
        #expect(probe["codec_name"] == "mjpeg" && probe["width"] == "64" && probe["height"] == "48")
    }

    @Test("a dense selection (one sequential pass) writes the same pixels as a sparse one (seeking)")
    func denseEqualsSparse() throws {
        let path = VidiCLI.fixture("h264-bframes-opengop.mp4")  // 75 frames, B-frames, open GOPs
        let dense = try Fixtures.temporaryDirectory().path
        var result = try VidiCLI.run(["frames", path, "--out", dense, "--every", "3", "--format", "npy"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.sortedContents(dense).count == 25)
        let sparse = try Fixtures.temporaryDirectory().path
        result = try VidiCLI.run(["frames", path, "--out", sparse, "--indices", "24,27,51", "--format", "npy"])
        #expect(result.status == 0, "\(result.stderr)")
        for index in [24, 27, 51] {
            let a = try NPYFormat.read(path: "\(dense)/\(padded(index)).npy")
            let b = try NPYFormat.read(path: "\(sparse)/\(padded(index)).npy")
            #expect(a == b, "frame \(index)")
        }
    }

    @Test("rotation metadata is applied: a 90-degree file gives portrait frames")
    func rotation() throws {
        let out = try Fixtures.temporaryDirectory().path
        let result = try VidiCLI.run(["frames", VidiCLI.fixture("rotated-90.mp4"), "--out", out, "--indices", "0",
                                      "--format", "npy"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try NPYFormat.read(path: "\(out)/frame-000000.npy").shape == [320, 240, 3])
    }

    @Test("keyframes are named by their display index (zero-padded), as ffprobe's key packets sorted by pts")
    func keyframes() throws {
        let path = VidiCLI.fixture("h264-bframes-opengop.mp4")
        let out = try Fixtures.temporaryDirectory().path
        let result = try VidiCLI.run(["keyframes", path, "--out", out, "--format", "jpg"])
        #expect(result.status == 0, "\(result.stderr)")
        let indices = try Reference.keyframeIndices(path)
        #expect(indices.count == 3)
        #expect(FileManager.default.sortedContents(out) == indices.map { "\(padded($0)).jpg" }.sorted())
        let old = try Fixtures.temporaryDirectory().path
        let again = try VidiCLI.run(["keyframes", path, "--out", old, "--format", "jpg", "--unpadded-names"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(FileManager.default.sortedContents(old) == indices.map { "frame-\($0).jpg" }.sorted())
    }

    @Test("a bad file fails with one line naming it; the good file in the same call is still written")
    func badFileDoesNotStopOthers() throws {
        let good = VidiCLI.fixture("mpeg4-part2.mp4")
        let bad = VidiCLI.fixture("bad-random.mp4")
        let out = try Fixtures.temporaryDirectory().path
        let result = try VidiCLI.run(["frames", bad, good, "--out", out, "--indices", "3"])
        #expect(result.status == 1)
        let errors = VidiCLI.errorLines(result)
        #expect(errors.count == 1 && errors[0].hasPrefix("vidi: \(bad): "), "\(errors)")
        #expect(FileManager.default.fileExists(atPath: "\(out)/mpeg4-part2/frame-000003.png"))
    }

    @Test("an index past the end and an unwritable folder are one-line errors with exit 1")
    func badArguments() throws {
        let path = VidiCLI.fixture("h264-closedgop.mp4")
        let out = try Fixtures.temporaryDirectory().path
        var result = try VidiCLI.run(["frames", path, "--out", out, "--indices", "0,50"])
        #expect(result.status == 1)
        var errors = VidiCLI.errorLines(result)
        #expect(errors.count == 1 && errors[0].hasPrefix("vidi: \(path): ") && errors[0].contains("50"), "\(errors)")

        result = try VidiCLI.run(["frames", path, "--out", "/proc/vidi-cannot-write-here", "--indices", "0"])
        #expect(result.status == 1)
        errors = VidiCLI.errorLines(result)
        #expect(errors.count == 1 && errors[0].contains("/proc/vidi-cannot-write-here"), "\(errors)")

        // Argument mistakes are usage errors (ArgumentParser's exit 64), caught before any file is read.
        result = try VidiCLI.run(["frames", path, "--out", out, "--every", "0"])
        #expect(result.status == 64 && result.stderr.contains("--every"))
    }

    @Test("--help teaches with examples")
    func help() throws {
        for command in ["probe", "frames", "keyframes", "motion", "bench decode"] {
            let result = try VidiCLI.run(command.split(separator: " ").map(String.init) + ["--help"])
            #expect(result.status == 0)
            #expect(result.text.contains("Examples:") && result.text.contains("vidi \(command)"), "\(command)")
        }
    }
}
