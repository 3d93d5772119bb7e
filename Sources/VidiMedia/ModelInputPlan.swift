import VidiRandom

/// A `ModelInputRequest` resolved against one video: the frames, sizes, crop offsets and output shape,
/// fixed before anything is decoded. `VideoReader.modelInputPlan(_:)` makes it; `fillModelInput` writes
/// into memory the caller owns (how VidiMediaTensors fills a tensor's storage without a copy).
public struct ModelInputPlan: Sendable, Equatable {
    public var request: ModelInputRequest
    /// Display indices per clip.
    public var clips: [[Int]]
    /// The picture size after resize, before the crop (display orientation).
    public var resizedWidth: Int
    public var resizedHeight: Int
    /// The output picture size (after the crop).
    public var width: Int
    public var height: Int
    /// Crop offsets per clip in the resized picture.
    public var cropTops: [Int]
    public var cropLefts: [Int]
    /// Output shape, per the request's layout.
    public var shape: [Int]
    /// Display rotation applied (clockwise degrees; 0 when the request turns rotation off).
    public var rotation: Int

    /// Values in the output (product of `shape`).
    public var elementCount: Int { shape.reduce(1, *) }
    /// 4 for the float layouts, 1 for `.hwcBytes`.
    public var elementSize: Int { request.layout == .hwcBytes ? 1 : 4 }
    public var byteCount: Int { elementCount * elementSize }

    /// Largest output accepted (4 GiB): a bigger request is almost certainly a mistake.
    static let maximumBytes = 1 << 32

    init(request: ModelInputRequest, info: VideoInfo) throws {
        try self.init(request: request, info: info, clips: try request.frames.clips(for: info))
    }

    /// The plan for these clips, sized from `info`'s picture size and rotation alone.
    init(request: ModelInputRequest, info: VideoInfo, clips: [[Int]]) throws {
        self.request = request
        guard let length = clips.first?.count, length > 0, clips.allSatisfy({ $0.count == length }) else {
            throw MediaError.invalidArgument("model input needs clips of one length, got \(clips.map(\.count))")
        }
        self.clips = clips
        rotation = request.applyRotation ? info.rotation : 0
        let swapped = rotation % 180 != 0
        let displayWidth = swapped ? info.height : info.width, displayHeight = swapped ? info.width : info.height
        guard displayWidth > 0, displayHeight > 0 else {
            throw MediaError.corrupt(path: info.path, reason: "video stream has no picture size (\(info.width)x\(info.height))")
        }
        let side = FrameConverter.maximumSide
        switch request.resize {
        case .none:
            (resizedWidth, resizedHeight) = (displayWidth, displayHeight)
        case .fixed(let w, let h):
            guard w > 0, h > 0, w <= side, h <= side else {
                throw MediaError.invalidArgument("resize must be in 1...\(side) per side, got \(w)x\(h)")
            }
            (resizedWidth, resizedHeight) = (w, h)
        case .shorterSide(let s):
            guard s > 0, s <= side else { throw MediaError.invalidArgument("shorter side must be in 1...\(side), got \(s)") }
            let short = min(displayWidth, displayHeight), long = max(displayWidth, displayHeight)
            // torchvision: int(size * long / short), truncated.
            let scaled = Int(Double(s) * Double(long) / Double(short))
            guard scaled >= 1, scaled <= side else {
                throw MediaError.invalidArgument("shorter side \(s) makes the longer side of a \(displayWidth)x\(displayHeight) picture \(scaled) pixels")
            }
            (resizedWidth, resizedHeight) = displayWidth <= displayHeight ? (s, scaled) : (scaled, s)
        }
        switch request.crop {
        case .none:
            (width, height) = (resizedWidth, resizedHeight)
            cropTops = Array(repeating: 0, count: clips.count)
            cropLefts = cropTops
        case .center(let w, let h), .random(let w, let h, _):
            guard w > 0, h > 0, w <= resizedWidth, h <= resizedHeight else {
                throw MediaError.invalidArgument("crop \(w)x\(h) does not fit the \(resizedWidth)x\(resizedHeight) resized picture")
            }
            (width, height) = (w, h)
            if case .random(_, _, let seed) = request.crop {
                var generator = RandomGenerator(seed: seed)
                var tops: [Int] = [], lefts: [Int] = []
                for _ in clips {
                    tops.append(generator.nextIndex(below: resizedHeight - h + 1))
                    lefts.append(generator.nextIndex(below: resizedWidth - w + 1))
                }
                (cropTops, cropLefts) = (tops, lefts)
            } else {
                // torchvision: int(round((H - h) / 2.0)), Python rounding halves to even.
                let top = (Double(resizedHeight - h) / 2).rounded(.toNearestOrEven)
                let left = (Double(resizedWidth - w) / 2).rounded(.toNearestOrEven)
                cropTops = Array(repeating: Int(top), count: clips.count)
                cropLefts = Array(repeating: Int(left), count: clips.count)
            }
        }
        let n = clips.count * length
        switch request.layout {
        case .hwcBytes: shape = [n, height, width, 3]
        case .chw: shape = [n, 3, height, width]
        case .tchw: shape = [clips.count, length, 3, height, width]
        case .cthw: shape = [clips.count, 3, length, height, width]
        }
        if request.layout != .hwcBytes {
            let norm = request.normalization
            guard norm.mean.count == 3, norm.std.count == 3, norm.mean.allSatisfy(\.isFinite),
                  norm.std.allSatisfy({ $0.isFinite && $0 != 0 }) else {
                throw MediaError.invalidArgument("normalisation needs 3 finite means and 3 finite non-zero stds, got \(norm.mean), \(norm.std)")
            }
        }
        var total = elementSize
        for d in shape {
            let (product, overflow) = total.multipliedReportingOverflow(by: d)
            guard !overflow, product <= Self.maximumBytes else {
                throw MediaError.invalidArgument("model input of shape \(shape) is larger than \(Self.maximumBytes) bytes")
            }
            total = product
        }
    }

    /// The same sizes, crop and layout for one frame on its own (shape [1, ...]): what
    /// `VideoReader.forEachModelInputFrame` converts each picture with. Every clip shares the crop of
    /// the first (the streaming call accepts no per-clip random crop).
    var singleFrame: ModelInputPlan {
        var plan = self
        plan.clips = [[clips[0][0]]]
        plan.cropTops = [cropTops[0]]
        plan.cropLefts = [cropLefts[0]]
        plan.shape = request.layout == .hwcBytes ? [1, height, width, 3] : [1, 3, height, width]
        return plan
    }

    /// Offsets (in elements) of the first value of each RGB channel for clip `clip`, frame `t`, and the
    /// step between neighbouring pixels of one channel (3 for bytes, 1 for planes).
    func channelOffsets(clip: Int, t: Int) -> (r: Int, g: Int, b: Int, pixelStep: Int) {
        let plane = width * height, length = clips[0].count
        switch request.layout {
        case .hwcBytes:
            let base = (clip * length + t) * plane * 3
            return (base, base + 1, base + 2, 3)
        case .chw, .tchw:
            let base = (clip * length + t) * 3 * plane
            return (base, base + plane, base + 2 * plane, 1)
        case .cthw:
            let base = clip * 3 * length * plane + t * plane
            return (base, base + length * plane, base + 2 * length * plane, 1)
        }
    }
}
