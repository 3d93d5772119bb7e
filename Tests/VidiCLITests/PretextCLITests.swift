import Foundation
import Testing
import VidiFormats
import VidiTestSupport

/// `vidi pretext` writes what its help promises (shapes from the issue: 16 x 112 x 112 x 3 uint8 clips,
/// labels 0-8), read back as .npy headers; bad input exits 1 with one line naming the file.
@Suite("vidi pretext")
struct PretextCLITests {
    @Test func mosiWritesNineLabelledClips() throws {
        let out = try Fixtures.temporaryDirectory("pretext-mosi")
        let result = try VidiCLI.run(["pretext", "mosi", "--image", Fixtures.path("images/texture.png"), "--out", out.path,
                                      "--no-augment", "--flip", "on", "--seed", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        for label in 0..<9 {
            let clip = try NPYFormat.read(path: out.appendingPathComponent("clip-\(label).npy").path)
            #expect(clip.shape == [16, 112, 112, 3] && clip.descr == "|u1")
        }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("params.json"))) as? [String: Any])
        let clips = try #require(json["clips"] as? [[String: Any]])
        #expect(clips.count == 9 && clips.allSatisfy { $0["flipped"] as? Bool == true && $0["static_mask"] == nil })
    }

    @Test func cmdOnATooShortVideoFails() throws {
        let out = try Fixtures.temporaryDirectory("pretext-cmd")
        let result = try VidiCLI.run(["pretext", "cmd", "--video", VidiCLI.fixture("mpeg4-part2.mp4"), "--out", out.path])
        #expect(result.status == 1)
        #expect(VidiCLI.errorLines(result).count == 1 && result.stderr.contains("at least 70 frames"))
    }
}
