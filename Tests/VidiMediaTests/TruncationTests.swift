import Foundation
import Testing
import VidiMedia
import VidiTestSupport

/// A file cut exactly between two packets demuxes cleanly to the cut: without the container's own
/// index it would pass for a shorter, intact video.
@Suite struct TruncationTests {
    /// h264-bframes-opengop.mp4 (75 frames, moov first) cut at the byte offset of packet 40, from
    /// `ffprobe -show_packets` (decode order).
    static func cutAtPacketBoundary() throws -> String {
        let source = media("h264-bframes-opengop.mp4")
        let text = try runTool("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pos",
                                           "-of", "csv=p=0", source]).text
        let offsets = text.split(separator: "\n").compactMap { Int($0) }
        #expect(offsets.count == 75)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: source)).prefix(offsets[40])
        let path = try Fixtures.temporaryDirectory("vidi-cut").appendingPathComponent("cut.mp4").path
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func cutAtAPacketBoundaryWarnsWithTheLostPacketCount() throws {
        let path = try Self.cutAtPacketBoundary()
        // ffprobe -count_frames: 40 frames decode; the sample table still lists 75 (nb_frames).
        let probed = try runTool("ffprobe", ["-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
                                             "stream=nb_frames,nb_read_frames", "-of", "csv=p=0", path]).text
        #expect(probed.trimmingCharacters(in: .whitespacesAndNewlines) == "75,40")
        let reader = try VideoReader(path: path)
        #expect(reader.info.frameCount == 40)
        #expect(reader.warnings == ["\(path): the container indexes 35 video packet(s) past the end of the file (\(try Data(contentsOf: URL(fileURLWithPath: path)).count) bytes): truncated file"])
    }

    @Test(arguments: goodFixtures)
    func intactFilesDoNotWarn(_ name: String) throws {
        #expect(try VideoReader(path: media(name)).warnings.isEmpty)
    }
}
