import Foundation
import VidiFormats
import VidiMedia
import VidiNN
import VidiPipeline
import VidiSegmentation
import VidiTensor

/// `segment`: semi-supervised video object segmentation of each manifest video from its first frame's
/// objects, as `vidi segment` runs it (`Segmenter`: STCN / RDE-VOS memory, optional LCM):
/// `{weights: W.safetensors, mask_column: mask, memory: rde, name: masks}`; without `weights`, the bundled
/// small RDE model (`vidi segment`'s default).
/// The manifest names each video's first-frame palette PNG (value = object id, DAVIS layout) in a column
/// (CSV/JSONL field `mask`, relative paths against the manifest's folder). Frames stream from the video's
/// shared reader at their original size, one at a time (only the memory and the PNG bytes stay), and
/// each frame's result is emitted as `<name>.<display index>.png` (`masks.00000.png`, ...: a palette PNG,
/// value = object id, what `vidi eval davis` reads once unpacked). A missing or unreadable mask, or one
/// whose size differs from the frames, fails that video only (recorded in the shard's stats).
struct SegmentStage: ModelStage {
    let name = "segment"
    var weights: String
    var maskColumn: String
    var options: SegmenterOptions?
    var memoryEvery: Int?
    var topK: Int?
    var lcm: Bool
    var output: String

    var outputs: [String] { [output] }

    static func make(_ parameters: StageParameters) throws -> any PipelineStage {
        guard let map = try parameters.mapping() else {
            throw parameters.keyNode.error("needs a mapping, e.g. {mask_column: mask, memory: rde} (weights: the bundled model unless given)")
        }
        let weights: String
        if let node = map.optional("weights") {
            weights = try node.string()
        } else {
            guard let bundled = BundledSegmentationModel.path else {
                throw parameters.keyNode.error("no weights given and the bundled model is missing from vidi's resource bundle")
            }
            weights = bundled
        }
        let column = try map.optional("mask_column")?.string() ?? "mask"
        var memory: MemoryKind?
        if let node = map.optional("memory") {
            guard let kind = MemoryKind(rawValue: try node.string()) else { throw node.error("memory is rde or grow") }
            memory = kind
        }
        let every = try map.optional("mem_every")?.positiveInt()
        let topK = try map.optional("top_k")?.positiveInt()
        let lcm = try map.optional("lcm")?.bool() ?? false
        let output = try map.optional("name")?.string() ?? "masks"
        try map.finish()
        let stage = SegmentStage(weights: weights, maskColumn: column,
                                 options: memory.map { SegmenterOptions(memory: $0, memoryEvery: every, topK: topK, lcm: lcm) },
                                 memoryEvery: every, topK: topK, lcm: lcm, output: output)
        guard !output.isEmpty, output.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F || $0 == 0x2D }) else {
            throw parameters.keyNode.error("name '\(output)': use a-z, 0-9, _ and -")
        }
        return stage
    }

    /// Reads the weights once before any video, so a wrong path or file stops the run with one error.
    func prepareRun() throws {
        let network = try makeModel()
        _ = try segmenterOptions(for: network)
    }

    func makeModel() throws -> STCN {
        do {
            return try STCN(weights: try Safetensors.read(path: weights))
        } catch {
            throw PipelineError.stage(stage: name, message: "weights \(weights): \(error)")
        }
    }

    /// The options given, or the weights' defaults (rde when they have mem_compress).
    func segmenterOptions(for network: STCN) throws -> SegmenterOptions {
        let chosen = options ?? SegmenterOptions(memory: network.memoryCompression == nil ? .grow : .rde, memoryEvery: memoryEvery,
                                                 topK: topK, lcm: lcm)
        do {
            _ = try Segmenter(network: network, options: chosen)
        } catch {
            throw PipelineError.stage(stage: name, message: "weights \(weights): \(error)")
        }
        return chosen
    }

    /// Reads and checks the first-frame mask before the model runs.
    func prepare(_ video: VideoContext) throws {
        let mask = try firstMask(video)
        guard mask.maxLabel() > 0 else { throw PipelineError.stage(stage: name, message: "mask \(maskPath(video) ?? ""): no object") }
        video.store(FirstFrameMask(mask: mask))
    }

    func process(batch videos: [VideoContext], with network: STCN) throws {
        let options = try segmenterOptions(for: network)
        for video in videos {
            guard let first = video.product(FirstFrameMask.self)?.mask else { continue }
            let segmenter = try Segmenter(network: network, options: options)
            let reader = try video.reader()
            let count = reader.info.frameCount
            var written = 0
            try reader.forEachFrame(FrameOutput(applyRotation: true, layout: .rgb8)) { decoded in
                try video.checkDeadline()
                guard let image = decoded.image, let rgb = image.rgb else { return }
                if decoded.index == 0, image.width != first.width || image.height != first.height {
                    throw PipelineError.stage(stage: name, message: "mask is \(first.width)x\(first.height), the frames \(image.width)x\(image.height)")
                }
                let result = try segmenter.step(rgb: rgb, width: image.width, height: image.height,
                                                mask: decoded.index == 0 ? first : nil, isLast: decoded.index == count - 1)
                try video.emit(String(format: "%@.%05d.png", output, decoded.index), IndexedPNG.encode(result.labels))
                written += 1
            }
            video.framesDecoded += written
            video.metadata[name] = .object(["frames": .int(written), "objects": .int(segmenter.objectIDs.count),
                                            "memory": .string(options.memory.rawValue)])
        }
    }

    func maskPath(_ video: VideoContext) -> String? {
        guard case .string(let value)? = video.entry.columns[maskColumn], !value.isEmpty else { return nil }
        if value.hasPrefix("/") { return value }
        // The manifest's folder: what the video path was resolved against.
        let entry = video.entry
        let base = entry.resolvedPath.hasSuffix(entry.path) ? String(entry.resolvedPath.dropLast(entry.path.count)) : ""
        return base.isEmpty ? value : (base as NSString).appendingPathComponent(value)
    }

    func firstMask(_ video: VideoContext) throws -> LabelMask {
        guard let path = maskPath(video) else {
            throw PipelineError.stage(stage: name, message: "no '\(maskColumn)' column for this video (the first frame's palette PNG)")
        }
        do {
            return try IndexedPNG.read(path: path)
        } catch {
            throw PipelineError.stage(stage: name, message: "mask \(path): \(error)")
        }
    }
}

/// The first frame's objects, read in `prepare`.
struct FirstFrameMask: VideoProduct {
    let mask: LabelMask
}
