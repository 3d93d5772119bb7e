// HiCo: "Learning from Untrimmed Videos: Self-Supervised Video Representation Learning with Hierarchical
// Consistency", Qing et al., CVPR 2022 (alibaba-mmai-research/TAdaConv, projects/hico). Follows
// reference/pretext.md: three clips per video — clip 0 and clip 1 within a distance d (visual
// consistency), clip 2 anywhere (topical consistency) — with d grown by the gradual sampling schedule
// from an explicit training progress.
import VidiMedia
import VidiRandom

public struct HiCoConfiguration: Sendable, Equatable {
    public var clipFrames: Int = 16
    /// Frames between two clip frames, at `referenceFrameRate`.
    public var stride: Int = 4
    public var referenceFrameRate: Double = 30
    /// The close pair's distance bound d (seconds) at progress 0 and 1.
    public var minimumDistance: Double = 0
    public var maximumDistance: Double = 1
    /// Frames are decoded with this short side, then a random `cropSize` square is cut per clip.
    public var shorterSide: Int = 128
    public var cropSize: Int = 112

    public init() {}

    /// T_c: one clip's duration in seconds (16 x 4 / 30 = 2.13 s).
    public var clipDuration: Double { Double(clipFrames * stride) / referenceFrameRate }

    func validate() throws {
        guard clipFrames > 0, stride > 0, referenceFrameRate > 0, minimumDistance >= 0, maximumDistance >= minimumDistance,
              cropSize > 0, shorterSide >= cropSize else {
            throw PretextError.invalidArgument("HiCo needs positive clip frames, stride, rate, 0 <= d_min <= d_max, crop <= short side")
        }
    }
}

/// The three clip centres (seconds) and the distance bound they were drawn under.
public struct HiCoCentres: Sendable, Equatable, Codable {
    public var centres: [Double]
    /// d for this progress.
    public var distance: Double
    /// The interval every centre lies in: [T_c, duration - T_c], or the video's middle when it is shorter
    /// than 2 T_c.
    public var lowest: Double
    public var highest: Double
}

/// A sampled HiCo training triple: indices and pixels.
public struct HiCoSample: Sendable, Equatable {
    public var centres: HiCoCentres
    /// Display indices of each clip's frames.
    public var frameIndices: [[Int]]
    /// Each clip's crop in the decoded (short side resized) frames.
    public var crops: [CropBox]
    /// 3 x frames x crop x crop x 3 RGB bytes.
    public var pixels: [UInt8]
}

public struct HiCoSampler: Sendable {
    public let configuration: HiCoConfiguration

    public init(_ configuration: HiCoConfiguration = .init()) throws {
        try configuration.validate()
        self.configuration = configuration
    }

    /// d = d_min + (d_max - d_min) x clamp(progress, 0, 1); progress is epoch / max_epoch.
    public func distance(progress: Double) -> Double {
        let c = configuration
        let p = progress.isFinite ? min(1, max(0, progress)) : 0
        return c.minimumDistance + (c.maximumDistance - c.minimumDistance) * p
    }

    /// c0 ~ U[lo, hi], c1 ~ U[max(c0 - d, lo), min(c0 + d, hi)], c2 ~ U[lo, hi] with lo = T_c and
    /// hi = duration - T_c (both the middle of the video when it is shorter than 2 T_c).
    public func centres(duration: Double, progress: Double, random: inout RandomGenerator) throws -> HiCoCentres {
        guard duration.isFinite, duration > 0 else { throw PretextError.inputTooSmall("HiCo needs a video with a positive duration, got \(duration) s") }
        guard progress.isFinite, progress >= 0 else { throw PretextError.invalidArgument("progress must be a number >= 0, got \(progress)") }
        let tc = configuration.clipDuration
        var (lo, hi) = (tc, duration - tc)
        if lo > hi { (lo, hi) = (duration / 2, duration / 2) }
        let d = distance(progress: progress)
        let c0 = random.uniform(lo, hi)
        let c1 = random.uniform(max(c0 - d, lo), min(c0 + d, hi))
        let c2 = random.uniform(lo, hi)
        return HiCoCentres(centres: [min(hi, c0), min(hi, c1), min(hi, c2)], distance: d, lowest: lo, highest: hi)
    }

    /// The clip's frames: times centre - T_c / 2 + k x stride / rate, each the frame displayed then, clamped
    /// to the video.
    public func frameIndices(centre: Double, info: VideoInfo) -> [Int] {
        let c = configuration
        let step = Double(c.stride) / c.referenceFrameRate
        let first = info.frameTimestamps.first ?? 0
        return (0..<c.clipFrames).map { k in
            let t = first + centre - c.clipDuration / 2 + Double(k) * step
            if let index = info.frameIndex(displayedAt: t) { return index }
            return t < first ? 0 : max(0, info.frameCount - 1)
        }
    }

    /// Samples and decodes one triple from an open video.
    public func sample(_ reader: VideoReader, progress: Double, random: inout RandomGenerator) throws -> HiCoSample {
        let info = reader.info
        guard info.frameCount > 0 else { throw PretextError.inputTooSmall("\(reader.path) has no frames") }
        let duration = max(info.duration, info.endTime - (info.frameTimestamps.first ?? 0))
        let centres = try centres(duration: duration, progress: progress, random: &random)
        let indices = centres.centres.map { frameIndices(centre: $0, info: info) }
        let unique = Array(Set(indices.flatMap { $0 })).sorted()
        let output = FrameOutput(size: .shorterSide(configuration.shorterSide), interpolation: .bilinear)
        var decoded: [Int: RGBPicture] = [:]
        for frame in try reader.frames(at: unique, output) { decoded[frame.index] = try RGBPicture(frame: frame) }
        let k = configuration.cropSize
        var crops: [CropBox] = []
        var pixels: [UInt8] = []
        pixels.reserveCapacity(3 * configuration.clipFrames * k * k * 3)
        for clip in indices {
            guard let first = decoded[clip[0]] else { throw PretextError.unsupportedInput("\(reader.path): frame \(clip[0]) did not decode") }
            guard first.width >= k, first.height >= k else {
                throw PretextError.inputTooSmall("\(reader.path): frames \(first.width)x\(first.height) are smaller than the \(k) crop")
            }
            let box = CropBox(x: random.integer(0, first.width - k), y: random.integer(0, first.height - k), width: k, height: k)
            crops.append(box)
            for index in clip {
                guard let picture = decoded[index] else { throw PretextError.unsupportedInput("\(reader.path): frame \(index) did not decode") }
                pixels += try picture.cropped(x: box.x, y: box.y, width: k, height: k).pixels
            }
        }
        return HiCoSample(centres: centres, frameIndices: indices, crops: crops, pixels: pixels)
    }
}
