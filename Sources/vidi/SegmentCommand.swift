import ArgumentParser
import Foundation
import VidiMedia
import VidiSegmentation
import VidiTensor

/// `vidi segment`: semi-supervised video object segmentation with a memory-bank network (STCN / RDE-VOS).
struct SegmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment",
        abstract: "Segment objects through a video from their masks in the first frame (STCN / RDE memory).",
        discussion: """
            INPUT is a video (anything FFmpeg opens) or a folder of frames (sorted .jpg/.png). --mask is a \
            palette PNG (value = object id, DAVIS layout) for the first frame; --mask-at adds objects at later \
            frames. Writes one palette PNG per frame to OUT, named by display index (00000.png, ...), value = \
            object id. Frames stream one at a time: memory use does not depend on the video's length with \
            --memory rde.

            The architecture and memory kind come from --weights: an STCN checkpoint (no mem_compress.*) \
            defaults to --memory grow --mem-every 5 --top-k 20, an RDE-VOS one to --memory rde --mem-every 3 \
            --top-k 40 (each official eval script's defaults). Convert PyTorch checkpoints with \
            Tools/convert_checkpoint.py.

            Examples:
              vidi segment clip.mp4 --mask first.png --out masks --weights rde_s3.safetensors
              vidi segment frames/ --mask 00000.png --out masks --weights stcn.safetensors --memory grow
              vidi segment clip.mp4 --mask first.png --mask-at 40:new.png --out masks --weights w.safetensors --overlay o.mp4
            """
    )

    @Argument(help: "A video file or a folder of frames.")
    var input: String

    @Option(name: .long, help: "Palette PNG with the objects of the first frame.")
    var mask: String

    @Option(name: .long, help: "Output folder for the per-frame palette PNGs.")
    var out: String

    @Option(name: .long, help: "Model weights (.safetensors with STCN / RDE-VOS key names). Default: the bundled small rde model.")
    var weights: String?

    @Option(name: .long, help: "Memory: grow (STCN) or rde (constant size). Default: rde when the weights have mem_compress.")
    var memory: String?

    @Flag(name: .long, help: "Refine reads with the LCM modules (position consistency and its guidance, object relation); the weights must have them.")
    var lcm = false

    @Option(name: .customLong("mem-every"), help: "Write every K-th frame to memory (default 5 grow, 3 rde).")
    var memEvery: Int?

    @Option(name: .customLong("top-k"), help: "Memory positions each query reads (default 20 grow, 40 rde).")
    var topK: Int?

    @Option(name: .customLong("mask-at"), help: "FRAME:PNG, objects added at a later frame (repeatable).")
    var maskAt: [String] = []

    @Option(name: .long, help: "Also write an overlay video (H.264 MP4) of the masks on the frames.")
    var overlay: String?

    func run() throws {
        do {
            try segment()
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandle.standardError.write(Data("vidi: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    func segment() throws {
        guard let weights = weights ?? BundledSegmentationModel.path else {
            throw ValidationError("no --weights given and the bundled model (small-rde.safetensors) is missing from vidi's resource bundle")
        }
        guard FileManager.default.fileExists(atPath: weights) else {
            throw ValidationError("no weights at \(weights)")
        }
        let network = try STCN(weights: try Safetensors.read(path: weights))
        let kind: MemoryKind
        if let memory {
            guard let parsed = MemoryKind(rawValue: memory) else { throw ValidationError("--memory must be grow or rde, got \(memory)") }
            kind = parsed
        } else {
            kind = network.memoryCompression == nil ? .grow : .rde
        }
        let segmenter = try Segmenter(network: network, options: SegmenterOptions(memory: kind, memoryEvery: memEvery, topK: topK, lcm: lcm))
        var masks: [Int: LabelMask] = [0: try IndexedPNG.read(path: mask)]
        for entry in maskAt {
            let parts = entry.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let frame = Int(parts[0]), frame >= 0 else {
                throw ValidationError("--mask-at takes FRAME:PNG, got \(entry)")
            }
            masks[frame] = try IndexedPNG.read(path: String(parts[1]))
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var overlayWriter: VideoWriter?
        var written = 0
        try SegmentInput.forEachFrame(input) { index, rgb, width, height, isLast in
            let result = try segmenter.step(rgb: rgb, width: width, height: height, mask: masks[index], isLast: isLast)
            try IndexedPNG.write(result.labels, to: "\(out)/\(String(format: "%05d", index)).png")
            if let overlay {
                if overlayWriter == nil { overlayWriter = try VideoWriter(path: overlay, width: width, height: height) }
                try overlayWriter?.append(rgb: SegmentInput.blend(rgb, result.labels))
            }
            written += 1
            if written % 100 == 0 {
                FileHandle.standardError.write(Data("vidi: frame \(index + 1), memory \(segmenter.memoryPositions) positions, peak RSS \(SegmentInput.peakRSSMegabytes()) MB\n".utf8))
            }
        }
        try overlayWriter?.finish()
        FileHandle.standardError.write(Data("vidi: \(written) frames, \(segmenter.objectIDs.count) objects, memory \(kind.rawValue) (\(segmenter.memoryPositions) positions at the end) -> \(out)\n".utf8))
    }
}

/// Frames of a video or of a folder of images, one at a time.
enum SegmentInput {
    static func forEachFrame(_ input: String,
                             _ body: (_ index: Int, _ rgb: [UInt8], _ width: Int, _ height: Int, _ isLast: Bool) throws -> Void) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
            throw MediaError.cannotOpen(path: input, reason: "no such file or folder")
        }
        if isDirectory.boolValue {
            let names = try FileManager.default.contentsOfDirectory(atPath: input)
                .filter { [".jpg", ".jpeg", ".png"].contains(where: $0.lowercased().hasSuffix) }.sorted()
            guard !names.isEmpty else { throw MediaError.cannotOpen(path: input, reason: "no .jpg/.png frames in the folder") }
            for (index, name) in names.enumerated() {
                let reader = try VideoReader(path: "\(input)/\(name)")
                var delivered = false
                try reader.forEachFrame(FrameOutput()) { decoded in
                    guard !delivered, let image = decoded.image, let rgb = image.rgb else { return }
                    delivered = true
                    try body(index, rgb, image.width, image.height, index == names.count - 1)
                }
            }
        } else {
            let reader = try VideoReader(path: input)
            let count = reader.info.frameCount
            try reader.forEachFrame(FrameOutput()) { decoded in
                guard let image = decoded.image, let rgb = image.rgb else { return }
                try body(decoded.index, rgb, image.width, image.height, decoded.index == count - 1)
            }
        }
    }

    /// The process's peak resident set (VmHWM in /proc/self/status), in MB; 0 where that file is missing.
    static func peakRSSMegabytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }

    /// The frame with each object's DAVIS colour blended at 50%.
    static func blend(_ rgb: [UInt8], _ mask: LabelMask) -> [UInt8] {
        var out = rgb
        for i in mask.labels.indices where mask.labels[i] != 0 {
            let color = DavisPalette.colors[Int(mask.labels[i])]
            out[i * 3] = UInt8((Int(rgb[i * 3]) + Int(color.0)) / 2)
            out[i * 3 + 1] = UInt8((Int(rgb[i * 3 + 1]) + Int(color.1)) / 2)
            out[i * 3 + 2] = UInt8((Int(rgb[i * 3 + 2]) + Int(color.2)) / 2)
        }
        return out
    }
}
