import Foundation
import VidiMedia
import VidiMediaTensors
import VidiTensor

/// A video's snippet features and where they sit in time.
public struct SnippetFeatures {
    /// T × C float32.
    public var features: Tensor
    public var sidecar: FeatureSidecar
}

/// Per-snippet features of a video (`SnippetLayout`) by a `SnippetBackbone`, frames decoded through the
/// model-ready frame path (`VideoReader.modelInputTensor`: shorter side `resize`, centre crop `crop`,
/// the backbone's mean/std). `batch` snippets go through the network per forward pass; an image backbone
/// embeds every frame once (overlapping windows share frames, also across batches), so memory stays
/// bounded by the batch whatever the video's length.
public final class SnippetFeatureExtractor {
    public let backbone: SnippetBackbone
    /// Recorded in the sidecar (the weights' file name).
    public let weightsName: String
    public let stride: Int
    public let window: Int
    public let resize: Int
    public let crop: Int
    public let batch: Int

    /// `resize`/`crop` nil: the backbone's torchvision defaults; when only one is given the other keeps
    /// torchvision's ratio (256 : 224 for images, 128 : 112 for clips).
    public init(backbone: SnippetBackbone, weightsName: String, stride: Int, window: Int, resize: Int? = nil, crop: Int? = nil,
                batch: Int = 16) throws(LocalizationError) {
        let (r0, c0) = (backbone.defaultResize, backbone.defaultCrop)
        let resize = resize ?? crop.map { ($0 * r0 + c0 - 1) / c0 } ?? r0
        let crop = crop ?? resize * c0 / r0
        guard stride > 0, window > 0 else { throw .invalidArgument("stride and window must be > 0 frames (got \(stride), \(window))") }
        guard batch > 0 else { throw .invalidArgument("batch must be > 0 snippets (got \(batch))") }
        guard crop > 0, resize >= crop else { throw .invalidArgument("the crop (\(crop)) must be > 0 and fit in the resized frame (shorter side \(resize))") }
        self.backbone = backbone
        self.weightsName = weightsName
        self.stride = stride
        self.window = window
        self.resize = resize
        self.crop = crop
        self.batch = batch
    }

    /// Loads the backbone from a safetensors file.
    public convenience init(weights path: String, stride: Int, window: Int, resize: Int? = nil, crop: Int? = nil, batch: Int = 16) throws(LocalizationError) {
        try self.init(backbone: SnippetBackbone(path: path), weightsName: URL(fileURLWithPath: path).lastPathComponent,
                      stride: stride, window: window, resize: resize, crop: crop, batch: batch)
    }

    /// The frame request for a group of snippets: each snippet's window as one clip (video backbone), or
    /// the distinct frames of the group as one clip of images (image backbone).
    public func request(frames clips: [[Int]]) -> ModelInputRequest {
        ModelInputRequest(frames: .clips(clips), resize: .shorterSide(resize), crop: .center(width: crop, height: crop),
                          layout: backbone.takesClips ? .cthw : .chw, filter: .bilinear, normalization: backbone.normalization)
    }

    /// T × C features of the video `reader` reads. `progress(done, total)` is called after each batch of
    /// snippets (it may throw to stop, e.g. at a deadline).
    public func extract(_ reader: VideoReader, progress: ((Int, Int) throws -> Void)? = nil) throws -> SnippetFeatures {
        let info = reader.info
        let layout: SnippetLayout
        do { layout = try SnippetLayout(frameCount: info.frameCount, stride: stride, window: window) } catch {
            throw LocalizationError.io(path: reader.path, reason: "\(error)")
        }
        let d = backbone.dimension
        var rows = [Float](repeating: 0, count: layout.count * d)
        var first = 0
        var carried: [Int: ArraySlice<Float>] = [:]
        while first < layout.count {
            let snippets = first..<Swift.min(first + batch, layout.count)
            let embedded = try backbone.takesClips ? embedClips(snippets, layout: layout, reader: reader)
                                                   : embedFrameMeans(snippets, layout: layout, reader: reader, carried: &carried)
            rows.replaceSubrange((snippets.lowerBound * d)..<(snippets.upperBound * d), with: embedded)
            first = snippets.upperBound
            try progress?(first, layout.count)
        }
        let fps = info.averageFrameRate > 0 ? info.averageFrameRate : Double(info.frameCount) / Swift.max(info.duration, 1e-9)
        let sidecar = FeatureSidecar(fps: fps, stride: stride, window: window, frames: info.frameCount, duration: info.duration,
                                     dimension: d, snippets: layout.count, backbone: backbone.architecture, weights: weightsName,
                                     resize: resize, crop: crop)
        return SnippetFeatures(features: try Tensor(rows, shape: [layout.count, d]), sidecar: sidecar)
    }

    /// One clip per snippet, `[n, 3, window, crop, crop]` → `[n, D]`.
    func embedClips(_ snippets: Range<Int>, layout: SnippetLayout, reader: VideoReader) throws -> [Float] {
        let input = try reader.modelInputTensor(request(frames: snippets.map { layout.clip(ofSnippet: $0) }))
        return try backbone.embed(input).toArray(Float.self)
    }

    /// Every distinct frame of the snippets embedded once, then each snippet's frames averaged. Frames the
    /// previous batch already embedded (windows overlap when stride < window) come from `carried`, which
    /// is replaced by this batch's frame embeddings.
    func embedFrameMeans(_ snippets: Range<Int>, layout: SnippetLayout, reader: VideoReader,
                         carried: inout [Int: ArraySlice<Float>]) throws -> [Float] {
        let needed = Array(Set(snippets.flatMap { layout.frames(ofSnippet: $0) })).sorted()
        let fresh = needed.filter { carried[$0] == nil }
        let d = backbone.dimension
        var rows: [Int: ArraySlice<Float>] = [:]
        for frame in needed { rows[frame] = carried[frame] }
        if !fresh.isEmpty {
            let embedded = try backbone.embed(try reader.modelInputTensor(request(frames: [fresh]))).toArray(Float.self)
            for (k, frame) in fresh.enumerated() { rows[frame] = embedded[(k * d)..<((k + 1) * d)] }
        }
        carried = rows
        var out = [Float](repeating: 0, count: snippets.count * d)
        for (k, snippet) in snippets.enumerated() {
            let frames = layout.frames(ofSnippet: snippet)
            for frame in frames {
                guard let row = rows[frame] else { continue }
                for (j, value) in row.enumerated() { out[k * d + j] += value }
            }
            let scale = 1 / Float(frames.count)
            for j in 0..<d { out[k * d + j] *= scale }
        }
        return out
    }
}
