import Foundation
import VidiTestSupport
import Testing
import VidiMedia
import VidiRandom

/// Bad inputs give a specific, documented `MediaError` (never a crash or hang); a truncated file gives
/// the frames before the break plus a warning.
@Suite struct BadInputTests {
    static func openError(_ path: String) -> MediaError? {
        do {
            _ = try VideoReader(path: path)
            return nil
        } catch let error as MediaError {
            return error
        } catch {
            return nil
        }
    }

    @Test func emptyFileIsCorrupt() {
        let path = media("bad-empty.mp4")
        #expect(Self.openError(path) == .corrupt(path: path, reason: "file is empty (0 bytes)"))
    }

    @Test(arguments: ["bad-random.mp4", "bad-text.txt"])
    func nonMediaIsCorrupt(_ name: String) {
        let path = media(name)
        // ffprobe: "Invalid data found when processing input" for both.
        #expect(Self.openError(path) == .corrupt(path: path, reason: "not a recognizable media file: Invalid data found when processing input"))
    }

    @Test func audioOnlyHasNoVideoStream() {
        let path = media("bad-audio-only.m4a")
        #expect(Self.openError(path) == .noVideoStream(path: path))
    }

    @Test func missingFileCannotBeOpened() {
        let path = media("does-not-exist.mp4")
        #expect(Self.openError(path) == .cannotOpen(path: path, reason: "No such file or directory"))
    }

    @Test func truncatedFileGivesTheFramesBeforeTheBreakAndWarns() throws {
        // ffprobe -show_frames decodes 35 frames from this half file (one partial packet, then the end).
        let path = media("bad-truncated.mp4")
        let probed = try FFmpegReference.frames(path)
        let reader = try VideoReader(path: path)
        #expect(reader.info.frameCount == probed.count)
        #expect(!reader.warnings.isEmpty)
        var indices: [Int] = []
        var pixels: [UInt8] = []
        try reader.forEachFrame(FrameOutput()) { frame in
            indices.append(frame.index)
            pixels += frame.image?.rgb ?? []
        }
        #expect(indices == Array(0..<probed.count))
        // The same pixels ffmpeg decodes from the same bytes.
        #expect(pixels == (try FFmpegReference.rgbFrames(path)))
        // Random access inside the readable part works; the first half matches the intact file.
        let intact = try VideoReader(path: media("h264-bframes-opengop.mp4"))
        #expect(try reader.frame(at: 10) == intact.frame(at: 10))
    }

    @Test func errorsNameTheFile() {
        let path = media("bad-random.mp4")
        let text = Self.openError(path)?.description ?? ""
        #expect(text.contains("bad-random.mp4"))
    }
}

/// A file damaged in the middle (400 random bytes written over H.264 slice data) decodes like ffmpeg
/// decodes it: same frames, same pixels, and warnings about the damage.
@Suite struct DamagedStreamTests {
    static func damagedCopy() throws -> String {
        let directory = try Fixtures.temporaryDirectory("vidi-damaged")
        let path = directory.appendingPathComponent("damaged.mp4").path
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: media("h264-bframes-opengop.mp4"))))
        var generator = SplitMix64(seed: 3)
        for i in 60_000..<60_400 { bytes[i] = UInt8(truncatingIfNeeded: generator.next()) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func damagedMiddleGivesFFmpegsFramesAndWarnings() throws {
        let path = try Self.damagedCopy()
        let probed = try FFmpegReference.frames(path)
        let reader = try VideoReader(path: path)
        var indices: [Int] = [], pixels: [UInt8] = []
        try reader.forEachFrame(FrameOutput()) { frame in
            indices.append(frame.index)
            pixels += frame.image?.rgb ?? []
        }
        #expect(indices.count == probed.count)
        #expect(reader.info.frameTimestamps.filter { t in probed.contains { abs($0.timestamp - t) < 1e-9 } }.count == probed.count)
        #expect(pixels == (try FFmpegReference.rgbFrames(path, extraInput: ["-threads", "1"])))
        #expect(reader.warnings.contains { $0.contains("could not be decoded") || $0.contains("decoding errors") })
        // The frame whose packet the decoder rejected cannot be fetched; its neighbours can.
        let lost = try #require(Set(0..<reader.info.frameCount).subtracting(indices).min())
        #expect(throws: MediaError.corrupt(path: path, reason: "frame \(lost) could not be decoded")) {
            try VideoReader(path: path).frame(at: lost)
        }
        let neighbour = lost > 0 ? lost - 1 : lost + 1
        #expect(try VideoReader(path: path).frame(at: neighbour).index == neighbour)
    }
}
