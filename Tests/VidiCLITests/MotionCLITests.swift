import Foundation
import Testing
import VidiTensor
import VidiTestSupport

/// Per-frame files carry the display index zero-padded to 6 digits.
private func padded(_ index: Int) -> String {
    let digits = String(index)
    return String(repeating: "0", count: 6 - digits.count) + digits
}

/// `Fixtures/golden/media/<fixture>.mvs.json`, made by `Tools/make-motion-goldens.py` with PyAV: per frame in
/// display order the picture type, the vector count and an FNV-1a 64 hash of the int32 (N, 10) rows.
struct MotionGolden: Decodable {
    struct FrameSummary: Decodable {
        var type: String
        var count: Int
        var fnv1a64: String
    }
    var frames: [FrameSummary]

    static func load(_ fixture: String) throws -> MotionGolden {
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("golden/media/\(fixture).mvs.json")))
        return try JSONDecoder().decode(MotionGolden.self, from: data)
    }

    static func fnv1a64(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

@Suite("vidi motion")
struct MotionCLITests {
    @Test("--dump matches motion-vector-extractor's layout and PyAV's vectors frame by frame",
          arguments: ["mpeg4-part2.mp4", "h264-bframes-opengop.mp4", "h264-dup-pts.mkv"])
    func dumpMatchesGolden(fixture: String) throws {
        let golden = try MotionGolden.load(fixture)
        let out = try Fixtures.temporaryDirectory().path
        let result = try VidiCLI.run(["motion", VidiCLI.fixture(fixture), "--dump", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.sortedContents(out) == ["frame_types.txt", "motion_vectors", "timestamps.txt"])

        let files = FileManager.default.sortedContents("\(out)/motion_vectors")
        #expect(files.count == golden.frames.count)
        let types = try String(contentsOfFile: "\(out)/frame_types.txt", encoding: .utf8).split(separator: "\n")
        #expect(types.map(String.init) == golden.frames.map(\.type))
        let times = try String(contentsOfFile: "\(out)/timestamps.txt", encoding: .utf8).split(separator: "\n")
        #expect(times.count == golden.frames.count)

        // Timestamps: ffprobe's packet pts_time, sorted (display order).
        let reference = try runTool("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                                "packet=pts_time", "-of", "csv=p=0", VidiCLI.fixture(fixture)])
        let referenceTimes = reference.text.split(separator: "\n").compactMap { Double($0) }.sorted()
        #expect(referenceTimes.count == golden.frames.count)
        for (index, expected) in golden.frames.enumerated() {
            let array = try NPYFormat.read(path: "\(out)/motion_vectors/mvs-\(padded(index)).npy")
            #expect(array.descr == "<i4" && array.shape == [expected.count, 10], "frame \(index)")
            #expect(MotionGolden.fnv1a64(array.data) == expected.fnv1a64, "frame \(index)")
            if index < times.count, index < referenceTimes.count, let time = Double(times[index]) {
                #expect(abs(time - referenceTimes[index]) < 1e-6, "frame \(index)")
            }
        }

        // numpy reads the files as motion-vector-extractor writes them: int32 (N, 10), I-frames (0, 10).
        let firstP = try #require(golden.frames.firstIndex { $0.type == "P" })
        let numpy = try Reference.python("""
            import sys, numpy
            for p in sys.argv[1:]:
                a = numpy.load(p); print(a.dtype, a.shape[1], a.shape[0] > 0)
            """, ["\(out)/motion_vectors/mvs-000000.npy", "\(out)/motion_vectors/mvs-\(padded(firstP)).npy"])
        #expect(numpy == "int32 10 False\nint32 10 True\n")
    }

    @Test("--frames adds frames/frame-<i>.jpg for every frame, zero-padded; --unpadded-names gives the old names")
    func dumpWithFrames() throws {
        let out = try Fixtures.temporaryDirectory().path
        let result = try VidiCLI.run(["motion", VidiCLI.fixture("mpeg4-part2.mp4"), "--dump", out, "--frames", "--threads", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        let frames = FileManager.default.sortedContents("\(out)/frames")
        #expect(frames.count == 50 && frames.contains("frame-000049.jpg"))
        let probe = try Reference.stream("\(out)/frames/frame-000007.jpg")
        #expect(probe["codec_name"] == "mjpeg" && probe["width"] == "320" && probe["height"] == "240")
        let old = try Fixtures.temporaryDirectory().path
        let again = try VidiCLI.run(["motion", VidiCLI.fixture("mpeg4-part2.mp4"), "--dump", old, "--frames", "--unpadded-names"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(FileManager.default.sortedContents("\(old)/frames").contains("frame-49.jpg"))
        #expect(FileManager.default.sortedContents("\(old)/motion_vectors").contains("mvs-49.npy"))
    }

    @Test("--dense maps equal a numpy rasterisation of the dumped vectors (dst - src over each block, cell means)",
          arguments: [1, 8])
    func dense(grid: Int) throws {
        let path = VidiCLI.fixture("mpeg4-part2.mp4")  // 320x240, I + P
        let dump = try Fixtures.temporaryDirectory().path
        let out = try Fixtures.temporaryDirectory().path
        var result = try VidiCLI.run(["motion", path, "--dump", dump])
        #expect(result.status == 0, "\(result.stderr)")
        result = try VidiCLI.run(["motion", path, "--dense", String(grid), "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.sortedContents(out).filter { $0.hasPrefix("motion-") }.count == 50)
        #expect(try String(contentsOfFile: "\(out)/frame_types.txt", encoding: .utf8)
                == (try String(contentsOfFile: "\(dump)/frame_types.txt", encoding: .utf8)))
        // Reference: the documented convention, written independently in numpy from the (PyAV-checked) dump.
        let check = try Reference.python("""
            import sys, numpy as np
            dump, out, g = sys.argv[1], sys.argv[2], int(sys.argv[3])
            worst, nonzero = 0.0, 0
            for i in [0, 1, 5, 13]:
                mvs = np.load(f"{dump}/motion_vectors/mvs-{i:06d}.npy")
                full = np.zeros((240, 320, 2), np.float32)
                for s, w, h, sx, sy, dx, dy, mx, my, sc in mvs:
                    if s >= 0 or sc == 0: continue
                    x0, y0 = max(0, dx - w // 2), max(0, dy - h // 2)
                    full[y0:dy - h // 2 + h, x0:dx - w // 2 + w] = (-mx / sc, -my / sc)
                want = full[:240 // g * g, :320 // g * g].reshape(240 // g, g, 320 // g, g, 2).mean(axis=(1, 3))
                got = np.load(f"{out}/motion-{i:06d}.npy")
                assert got.dtype == np.float32 and got.shape == want.shape, (got.dtype, got.shape)
                worst = max(worst, float(np.abs(got - want).max()))
                nonzero += int(np.count_nonzero(got))
            print(worst < 1e-5, nonzero > 0)
            """, [dump, out, String(grid)])
        #expect(check == "True True\n")
    }

    @Test("bad files fail one line each, exit 1, while the good one is dumped")
    func badFiles() throws {
        let out = try Fixtures.temporaryDirectory().path
        let bad = VidiCLI.fixture("bad-text.txt")
        let result = try VidiCLI.run(["motion", bad, VidiCLI.fixture("mpeg4-part2.mp4"), "--dump", out])
        #expect(result.status == 1)
        let errors = VidiCLI.errorLines(result)
        #expect(errors.count == 1 && errors[0].hasPrefix("vidi: \(bad): "), "\(errors)")
        #expect(FileManager.default.sortedContents("\(out)/mpeg4-part2/motion_vectors").count == 50)
    }
}

@Suite("vidi bench decode")
struct BenchCLITests {
    @Test("--json reports every frame ffprobe counts, in each mode")
    func json() throws {
        let path = VidiCLI.fixture("h264-bframes-opengop.mp4")
        for (flags, mode, frames) in [([String](), "decode", 75), (["--motion"], "motion", 75),
                                      (["--rgb"], "rgb", 75), (["--motion", "--rgb"], "motion+rgb", 75),
                                      (["--keyframes"], "keyframes", 3)] {
            let result = try VidiCLI.run(["bench", "decode", path, "--json"] + flags)
            #expect(result.status == 0, "\(result.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
            #expect(json["frames"] as? Int == frames)
            #expect(json["mode"] as? String == mode)
            #expect((json["fps"] as? Double ?? 0) > 0 && (json["seconds"] as? Double ?? 0) > 0)
        }
        #expect(Int(try Reference.stream(path, countFrames: true)["nb_read_frames"] ?? "") == 75)
    }

    @Test("a missing file is a one-line error and exit 1")
    func missing() throws {
        let result = try VidiCLI.run(["bench", "decode", "/nonexistent/x.mp4"])
        #expect(result.status == 1)
        #expect(VidiCLI.errorLines(result).count == 1)
    }
}
