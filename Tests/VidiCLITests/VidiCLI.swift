import Foundation
import VidiTensor
import VidiTestSupport

/// Runs the built `vidi` binary. It sits next to the test bundle in the build folder
/// (`.build/<triple>/debug/vidi`), so `swift build --build-tests` must have built it.
enum VidiCLI {
    static let binary: String = {
        let bundle = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                         ?? CommandLine.arguments[0])
        var folder = bundle.deletingLastPathComponent()
        // On Linux the test executable is `<Package>PackageTests.xctest` directly in the build folder.
        for _ in 0..<3 {
            let candidate = folder.appendingPathComponent("vidi").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return Fixtures.repositoryRoot.appendingPathComponent(".build/debug/vidi").path
    }()

    static func run(_ arguments: [String]) throws -> ToolOutput {
        try runTool(binary, arguments)
    }

    /// Non-empty stderr lines.
    static func errorLines(_ output: ToolOutput) -> [String] {
        output.stderr.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    static func fixture(_ name: String) -> String { Fixtures.path("media/\(name)") }
}

/// Independent references: ffprobe values and ffmpeg-decoded pixels.
enum Reference {
    /// `ffprobe -show_entries stream=...` of the first video stream as key -> value.
    static func stream(_ path: String, countFrames: Bool = false) throws -> [String: String] {
        var args = ["-v", "error", "-select_streams", "v:0"]
        if countFrames { args.append("-count_frames") }
        args += ["-show_entries", "stream=codec_name,width,height,pix_fmt,avg_frame_rate,nb_read_frames:stream_side_data=rotation",
                 "-of", "default=noprint_wrappers=1", path]
        var values: [String: String] = [:]
        for line in try runTool("ffprobe", args).text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        return values
    }

    /// Display-order indices of key packets: packets sorted by pts, K flag (what players seek to).
    static func keyframeIndices(_ path: String) throws -> [Int] {
        let text = try runTool("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts,flags",
                                           "-of", "csv=p=0", path]).text
        let packets: [(Int, Bool)] = text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: ",")
            guard parts.count >= 2, let pts = Int(parts[0]) else { return nil }
            return (pts, parts[1].contains("K"))
        }
        return packets.sorted { $0.0 < $1.0 }.enumerated().filter { $0.element.1 }.map { $0.offset }
    }

    /// Every frame as RGB24 decoded by the ffmpeg CLI (display order), `width * height * 3` bytes each.
    static func rgbFrames(_ path: String, width: Int, height: Int) throws -> [[UInt8]] {
        let bytes = [UInt8](try runTool("ffmpeg", ["-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]).stdout)
        let size = width * height * 3
        return stride(from: 0, to: bytes.count - size + 1, by: size).map { Array(bytes[$0..<($0 + size)]) }
    }

    static func meanAbsoluteDifference(_ a: [UInt8], _ b: [UInt8]) -> Double {
        precondition(a.count == b.count && !a.isEmpty)
        var total = 0
        for i in a.indices { total += abs(Int(a[i]) - Int(b[i])) }
        return Double(total) / Double(a.count)
    }

    /// Runs a Python snippet with numpy (system python3); `sys.argv[1:]` are `arguments`.
    static func python(_ code: String, _ arguments: [String]) throws -> String {
        let result = try runTool("python3", ["-c", code] + arguments)
        guard result.status == 0 else { return "python failed: \(result.stderr)" }
        return result.text
    }
}

extension FileManager {
    func sortedContents(_ path: String) -> [String] {
        ((try? contentsOfDirectory(atPath: path)) ?? []).sorted()
    }
}
