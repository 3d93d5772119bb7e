import Foundation
import VidiMedia

/// Writes synthetic sequences in a DAVIS-like layout:
/// `videos/<seq>.mp4` (H.264), `Annotations/480p/<seq>/00000.png` (palette PNGs, one per frame, value =
/// object id), `ImageSets/2017/<set>.txt`. Sequences are named `synth-<seed>-<index>`.
public struct SyntheticVOSWriter {
    public let root: String
    public let options: SyntheticVOSOptions
    public let seed: UInt64
    public var videoOptions: VideoWriter.Options

    public init(root: String, options: SyntheticVOSOptions, seed: UInt64,
                videoOptions: VideoWriter.Options = .init(fps: 24, crf: 18, preset: "veryfast")) {
        self.root = root
        self.options = options
        self.seed = seed
        self.videoOptions = videoOptions
    }

    public func sequenceName(_ index: Int) -> String { "synth-\(seed)-\(String(format: "%03d", index))" }

    /// Writes sequences `0..<count` and the set list (appending to it when it exists), returning the names.
    @discardableResult
    public func write(count: Int, set: String = "val",
                      progress: (_ name: String) -> Void = { _ in }) throws -> [String] {
        try options.validate()
        let manager = FileManager.default
        try manager.createDirectory(atPath: "\(root)/videos", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: "\(root)/ImageSets/2017", withIntermediateDirectories: true)
        var names: [String] = []
        for index in 0..<count {
            let name = sequenceName(index)
            progress(name)
            try writeSequence(index: index, name: name)
            names.append(name)
        }
        let listPath = "\(root)/ImageSets/2017/\(set).txt"
        var existing = (manager.contents(atPath: listPath).map { String(decoding: $0, as: UTF8.self) } ?? "")
            .split(whereSeparator: \.isNewline).map(String.init)
        existing += names.filter { !existing.contains($0) }
        try Data((existing.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: listPath), options: .atomic)
        return names
    }

    private func writeSequence(index: Int, name: String) throws {
        let sequence = try SyntheticVOSSequence(options: options, seed: seed, index: index)
        let maskFolder = "\(root)/Annotations/480p/\(name)"
        try FileManager.default.createDirectory(atPath: maskFolder, withIntermediateDirectories: true)
        let video = try VideoWriter(path: "\(root)/videos/\(name).mp4", width: options.width, height: options.height,
                                    options: videoOptions)
        for t in 0..<options.frames {
            let frame = sequence.render(frame: t)
            try video.append(rgb: frame.rgb)
            try IndexedPNG.write(frame.mask, to: "\(maskFolder)/\(String(format: "%05d", t)).png")
        }
        try video.finish()
    }
}
