import Foundation
import Testing
import VidiTestSupport

@Suite("vidi probe")
struct ProbeCLITests {
    @Test("--json fields equal ffprobe's values", arguments: [
        "h264-bframes-opengop.mp4", "h264-closedgop.mp4", "mpeg4-part2.mp4", "vfr.mp4", "rotated-90.mp4",
        "odd-321x241.mp4", "audio-first.mp4", "vp9.webm",
    ])
    func matchesFFprobe(name: String) throws {
        let path = VidiCLI.fixture(name)
        let result = try VidiCLI.run(["probe", "--json", path])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.text.split(separator: "\n")
        try #require(lines.count == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])

        let reference = try Reference.stream(path, countFrames: true)
        #expect(json["path"] as? String == path)
        #expect(json["codec"] as? String == reference["codec_name"])
        #expect(json["pix_fmt"] as? String == reference["pix_fmt"])
        #expect(json["width"] as? Int == Int(reference["width"] ?? ""))
        #expect(json["height"] as? Int == Int(reference["height"] ?? ""))
        #expect(json["frame_count"] as? Int == Int(reference["nb_read_frames"] ?? ""))
        // ffprobe prints the display matrix angle counterclockwise; Vidi's rotation is clockwise.
        let ccw = Int(reference["rotation"] ?? "0") ?? 0
        #expect(json["rotation"] as? Int == ((-ccw % 360) + 360) % 360)
        let rate = (reference["avg_frame_rate"] ?? "0/1").split(separator: "/").compactMap { Double($0) }
        let fps = try #require(json["fps"] as? Double)
        #expect(rate.count == 2 && abs(fps - rate[0] / rate[1]) < 1e-6)
        #expect(json["keyframe_indices"] as? [Int] == (try Reference.keyframeIndices(path)))
        #expect((json["duration"] as? Double ?? 0) > 0)
        // The rest of VideoInfo, snake_case.
        for key in ["container", "time_base", "bit_rate", "has_b_frames", "frame_timestamps", "average_frame_rate",
                    "display_width", "display_height"] {
            #expect(json[key] != nil, "missing \(key)")
        }
        #expect((json["frame_timestamps"] as? [Double])?.count == json["frame_count"] as? Int)
    }

    @Test("bad files give one stderr line each and exit 1; good files in the same call still print")
    func mixedGoodAndBad() throws {
        let good = [VidiCLI.fixture("h264-closedgop.mp4"), VidiCLI.fixture("mpeg4-part2.mp4")]
        let bad = [VidiCLI.fixture("bad-empty.mp4"), VidiCLI.fixture("bad-random.mp4"), VidiCLI.fixture("bad-text.txt"),
                   VidiCLI.fixture("bad-audio-only.m4a"), "/nonexistent/clip.mp4"]
        let result = try VidiCLI.run(["probe", "--json", bad[0], good[0], bad[1], bad[2], bad[3], good[1], bad[4]])
        #expect(result.status == 1)
        let paths = try result.text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])["path"] as? String
        }
        #expect(paths == good)
        let errors = VidiCLI.errorLines(result)
        #expect(errors.count == bad.count, "\(errors)")
        for (line, file) in zip(errors, bad) {
            #expect(line.hasPrefix("vidi: \(file): "), "\(line)")
        }
    }

    @Test("a truncated file is probed with exit 0 and its damage reported as warning lines naming it")
    func truncatedWarns() throws {
        let path = VidiCLI.fixture("bad-truncated.mp4")
        let result = try VidiCLI.run(["probe", "--json", path])
        #expect(result.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        // The readable half: ffprobe decodes the same number of frames from it.
        #expect(json["frame_count"] as? Int == Int(try Reference.stream(path, countFrames: true)["nb_read_frames"] ?? ""))
        let lines = VidiCLI.errorLines(result)
        #expect(!lines.isEmpty && lines.allSatisfy { $0.hasPrefix("vidi: warning: \(path): ") }, "\(lines)")
    }

    @Test("text output names the file and its frame count")
    func text() throws {
        let path = VidiCLI.fixture("h264-bframes-opengop.mp4")
        let result = try VidiCLI.run(["probe", path])
        #expect(result.status == 0)
        #expect(result.text.hasPrefix(path + "\n"))
        #expect(result.text.contains("75 frames"))
    }
}
