// CMD: "Self-supervised Video Representation Learning by Context and Motion Decoupling", Huang et al.,
// CVPR 2021. Follows reference/pretext.md: an RGB clip of 16 frames at stride 4; the dense motion maps of
// the 8 frames starting 2 frames after the clip (positive); 3 motion clips of 8 frames from other,
// non-overlapping times (negatives); one I-frame within +-5 frames of the clip (context). Maps come from
// the codec's motion vectors (VidiMedia `DenseMotion.perPixel`: dst - src per pixel), share the clip's
// random-resized crop, are resized bilinearly without rescaling magnitudes, clamped to [-10, 10] and
// divided by 10. A flip negates dx unless `FlipMode.official` (mirror only) is asked for.
import VidiMedia
import VidiRandom

public struct CMDConfiguration: Sendable, Equatable {
    public var clipFrames: Int = 16
    public var clipStride: Int = 4
    public var motionFrames: Int = 8
    /// Frames from the clip's last frame to the first positive motion frame.
    public var motionGap: Int = 2
    public var negatives: Int = 3
    /// An I-frame at most this many frames before the clip's first or after its last frame.
    public var keyframeWindow: Int = 5
    public var cropSize: Int = 112
    /// torchvision RandomResizedCrop's ranges.
    public var area: ClosedRange<Double> = 0.2...1
    public var aspectRatio: ClosedRange<Double> = (3.0 / 4)...(4.0 / 3)
    /// Motion values are clamped to +-clamp and divided by it.
    public var clamp: Float = 10
    public var flip: FlipMode = .random

    public init() {}

    /// Display indices from the clip's first frame to its last.
    public var clipSpan: Int { (clipFrames - 1) * clipStride + 1 }
    /// Frames a video needs: the clip, the gap and the positive motion clip.
    public var minimumFrames: Int { clipSpan - 1 + motionGap + motionFrames }

    func validate() throws {
        guard clipFrames > 0, clipStride > 0, motionFrames > 0, motionGap >= 1, negatives >= 0, keyframeWindow >= 0,
              cropSize > 0, area.lowerBound > 0, area.upperBound <= 1, aspectRatio.lowerBound > 0, clamp > 0 else {
            throw PretextError.invalidArgument("CMD configuration has a non-positive size, an area outside (0, 1] or a non-positive clamp")
        }
    }
}

/// Where a CMD sample's parts sit in the video (display indices).
public struct CMDLayout: Sendable, Equatable, Codable {
    public var clip: [Int]
    public var motion: [Int]
    public var negatives: [[Int]]
    public var keyframe: Int
}

public struct CMDSample: Sendable, Equatable {
    public var layout: CMDLayout
    /// The random-resized crop, in the decoded frame's pixels.
    public var crop: CropBox
    public var flipped: Bool
    /// clip frames x crop x crop x 3 RGB bytes.
    public var clip: [UInt8]
    /// motion frames x crop x crop x 2 (dx, dy), clamped and scaled to [-1, 1].
    public var motion: [Float]
    /// negatives x motion frames x crop x crop x 2.
    public var negatives: [Float]
    /// crop x crop x 3 RGB bytes of the keyframe.
    public var keyframe: [UInt8]
}

public struct CMDSampler: Sendable {
    public let configuration: CMDConfiguration

    public init(_ configuration: CMDConfiguration = .init()) throws {
        try configuration.validate()
        self.configuration = configuration
    }

    /// Picks the temporal layout: a clip start among those with an I-frame in reach, the positive motion
    /// clip after it, then negatives one by one among the windows that overlap neither the positive nor
    /// an earlier negative.
    public func layout(frameCount: Int, intraFrames: [Int], random: inout RandomGenerator) throws -> CMDLayout {
        let c = configuration
        guard frameCount >= c.minimumFrames else {
            throw PretextError.inputTooSmall("CMD needs at least \(c.minimumFrames) frames (clip \(c.clipSpan), gap \(c.motionGap), motion \(c.motionFrames)), the video has \(frameCount)")
        }
        let intra = intraFrames.sorted()
        func keyframes(near start: Int) -> [Int] {
            intra.filter { $0 >= start - c.keyframeWindow && $0 <= start + c.clipSpan - 1 + c.keyframeWindow }
        }
        let starts = (0...(frameCount - c.minimumFrames)).filter { !keyframes(near: $0).isEmpty }
        guard !starts.isEmpty else {
            throw PretextError.unsupportedInput("no I-frame lies within \(c.keyframeWindow) frames of any \(c.clipSpan)-frame clip")
        }
        let start = starts[random.nextIndex(below: starts.count)]
        let candidates = keyframes(near: start)
        let keyframe = candidates[random.nextIndex(below: candidates.count)]
        let clip = (0..<c.clipFrames).map { start + $0 * c.clipStride }
        let motionStart = start + c.clipSpan - 1 + c.motionGap
        var taken = [motionStart]
        var free = (0...(frameCount - c.motionFrames)).filter { abs($0 - motionStart) >= c.motionFrames }
        var negatives: [[Int]] = []
        for _ in 0..<c.negatives {
            guard !free.isEmpty else {
                throw PretextError.inputTooSmall("\(frameCount) frames leave no room for \(c.negatives) non-overlapping negative motion clips of \(c.motionFrames)")
            }
            let m = free[random.nextIndex(below: free.count)]
            taken.append(m)
            free.removeAll { abs($0 - m) < c.motionFrames }
            negatives.append(Array(m..<(m + c.motionFrames)))
        }
        return CMDLayout(clip: clip, motion: Array(motionStart..<(motionStart + c.motionFrames)), negatives: negatives, keyframe: keyframe)
    }

    /// torchvision `RandomResizedCrop.get_params`: 10 tries at a random area and log-uniform aspect ratio,
    /// then the whole picture clipped to the ratio range.
    public func randomResizedCrop(width: Int, height: Int, random: inout RandomGenerator) -> CropBox {
        let c = configuration
        let total = Double(width * height)
        let logLow = c.aspectRatio.lowerBound.logValue, logHigh = c.aspectRatio.upperBound.logValue
        for _ in 0..<10 {
            let target = total * random.uniform(c.area.lowerBound, c.area.upperBound)
            let ratio = (random.uniform(logLow, logHigh)).expValue
            let w = Int((target * ratio).squareRoot().rounded()), h = Int((target / ratio).squareRoot().rounded())
            if w > 0, h > 0, w <= width, h <= height {
                return CropBox(x: random.integer(0, width - w), y: random.integer(0, height - h), width: w, height: h)
            }
        }
        let ratio = Double(width) / Double(height)
        var w = width, h = height
        if ratio < c.aspectRatio.lowerBound { h = Int((Double(w) / c.aspectRatio.lowerBound).rounded()) }
        else if ratio > c.aspectRatio.upperBound { w = Int((Double(h) * c.aspectRatio.upperBound).rounded()) }
        return CropBox(x: (width - w) / 2, y: (height - h) / 2, width: w, height: h)
    }

    /// One sample from an open video: one decoding pass exports every frame's motion vectors and converts
    /// only the clip frames and the keyframe.
    public func sample(_ reader: VideoReader, random: inout RandomGenerator) throws -> CMDSample {
        let c = configuration, info = reader.info
        let intra = info.keyframeIndices
        let layout = try layout(frameCount: info.frameCount, intraFrames: intra, random: &random)
        let pictures = Set(layout.clip + [layout.keyframe])
        let needed = Set(layout.motion + layout.negatives.flatMap { $0 })
        var images: [Int: RGBPicture] = [:]
        var motions: [Int: FrameMotion] = [:]
        try reader.forEachFrame(FrameOutput(applyRotation: false), motion: true, converting: .indices(pictures)) { frame in
            if let image = frame.image, pictures.contains(frame.index) { images[frame.index] = try RGBPicture(frame: image) }
            if let motion = frame.motion, needed.contains(frame.index) { motions[frame.index] = motion }
        }
        guard let reference = images[layout.clip[0]] else { throw PretextError.unsupportedInput("\(reader.path): frame \(layout.clip[0]) did not decode") }
        let crop = randomResizedCrop(width: reference.width, height: reference.height, random: &random)
        let flipped = c.flip.draw(&random)
        let k = c.cropSize
        func picture(_ index: Int) throws -> [UInt8] {
            guard let image = images[index] else { throw PretextError.unsupportedInput("\(reader.path): frame \(index) did not decode") }
            var out = try image.resized(region: crop, width: k, height: k)
            if flipped { out = out.flippedHorizontally() }
            return out.pixels
        }
        func maps(_ indices: [Int]) throws -> [Float] {
            var out: [Float] = []
            out.reserveCapacity(indices.count * k * k * 2)
            for index in indices {
                // A frame the decoder dropped, or an I-frame, has no vectors: an all-zero map.
                let dense = motions[index].map(DenseMotion.perPixel)
                    ?? MotionMap(height: reference.height, width: reference.width, values: [Float](repeating: 0, count: reference.width * reference.height * 2))
                guard dense.width == reference.width, dense.height == reference.height else {
                    throw PretextError.unsupportedInput("\(reader.path): motion map \(dense.width)x\(dense.height) differs from the picture \(reference.width)x\(reference.height)")
                }
                var map = try Bilinear.resample(floats: dense.values, width: dense.width, height: dense.height, channels: 2, box: crop, outWidth: k, outHeight: k)
                for i in 0..<map.count { map[i] = min(c.clamp, max(-c.clamp, map[i])) / c.clamp }
                if flipped {
                    Bilinear.flipRows(&map, width: k, height: k, channels: 2)
                    if c.flip.negatesHorizontalMotion { for i in stride(from: 0, to: map.count, by: 2) { map[i] = -map[i] } }
                }
                out += map
            }
            return out
        }
        var clip: [UInt8] = []
        clip.reserveCapacity(layout.clip.count * k * k * 3)
        for index in layout.clip { clip += try picture(index) }
        return CMDSample(layout: layout, crop: crop, flipped: flipped, clip: clip, motion: try maps(layout.motion),
                         negatives: try maps(layout.negatives.flatMap { $0 }), keyframe: try picture(layout.keyframe))
    }
}

extension Double {
    var logValue: Double { Foundation.log(self) }
    var expValue: Double { Foundation.exp(self) }
}

import Foundation
