// MoSI: "Self-supervised Motion Learning from Static Images", Huang et al., CVPR 2021.
// Follows alibaba-mmai-research/TAdaConv, tadaconv/sslgenerators/mosi/mosi_generator.py (`MoSIGenerator`:
// initialize_speed_set, get_crop_params, frame_size_standardize, static_mask, config_transform) and
// reference/pretext.md. Differences, on purpose: the flip negates dx unless `FlipMode.official` is asked
// for, the short-side resize is done once per image (the crop stays random per class), and pixels stay
// bytes (normalisation by mean 0.45 / std 0.225 belongs to the training input).
import VidiRandom

/// What one MoSI sample is made of.
public struct MoSIConfiguration: Sendable, Equatable {
    /// The short side is resized to this, then a square of this side is cropped ("standardise").
    public var standardSize: Int = 320
    /// The travelling window's side, the output clip's height and width.
    public var cropSize: Int = 112
    public var frames: Int = 16
    /// Speeds per axis: `linspace(0, n-1, n) - n/2`; 5 gives {-2, -1, 0, 1, 2} and 9 classes.
    public var speedsPerAxis: Int = 5
    /// Factor on the travel distance (official DISTANCE_JITTER; [1, 1] travels exactly (L - crop) x speed / 2).
    public var distanceJitter: ClosedRange<Double> = 1...1
    /// Random start of the travel (training); false centres it (the official test split).
    public var randomStart: Bool = true
    /// Per-frame colour jitter; nil for none.
    public var colorJitter: ColorJitter? = .mosi
    /// Range of the static mask's side ratio r; nil for no static mask.
    public var staticMaskRatio: ClosedRange<Double>? = 0.3...0.5
    public var flip: FlipMode = .random

    public init() {}

    /// No colour jitter and no static mask (`vidi pretext mosi --no-augment`).
    public var withoutAugmentation: MoSIConfiguration {
        var copy = self
        copy.colorJitter = nil
        copy.staticMaskRatio = nil
        return copy
    }

    func validate() throws {
        guard frames >= 2, cropSize > 0, standardSize > cropSize, speedsPerAxis >= 3, speedsPerAxis % 2 == 1 else {
            throw PretextError.invalidArgument("MoSI needs frames >= 2, 0 < crop < standard size and an odd speed count >= 3 (got frames \(frames), crop \(cropSize), standard \(standardSize), speeds \(speedsPerAxis))")
        }
        // Every picture is resized to standardSize squared: bound it so a typo cannot exhaust memory.
        guard standardSize <= 4096 else {
            throw PretextError.invalidArgument("MoSI standard size must be at most 4096, got \(standardSize)")
        }
        guard distanceJitter.lowerBound > 0, distanceJitter.upperBound <= 1 else {
            throw PretextError.invalidArgument("distance jitter must lie in (0, 1], got \(distanceJitter)")
        }
        if let r = staticMaskRatio, !(r.lowerBound > 0 && r.upperBound <= 1) {
            throw PretextError.invalidArgument("static mask ratio must lie in (0, 1], got \(r)")
        }
    }
}

/// Where the static mask keeps the moving content: every pixel outside this window shows `frame`.
public struct StaticMask: Sendable, Equatable, Codable {
    public var frame: Int
    public var box: CropBox
}

/// One pseudo-motion clip.
public struct MoSIClip: Sendable, Equatable {
    /// The class index (reference/pretext.md order).
    public var label: Int
    /// The window's motion class this clip was generated with, (dx, dy) in speed units: the window moves by
    /// dx, so the image content moves by -dx. With a correct flip this equals `speed(label)`.
    public var generatedSpeed: (dx: Int, dy: Int)
    public var flipped: Bool
    /// The standardisation square, in the coordinates of the short-side-resized picture.
    public var standardCrop: CropBox
    /// The window's top-left corner in each frame, in the coordinates of the standardised square as the
    /// clip shows it (mirrored when flipped).
    public var xPositions: [Int]
    public var yPositions: [Int]
    public var mask: StaticMask?
    /// frames x crop x crop x 3 RGB bytes.
    public var pixels: [UInt8]

    public static func == (a: MoSIClip, b: MoSIClip) -> Bool {
        a.label == b.label && a.generatedSpeed == b.generatedSpeed && a.flipped == b.flipped && a.standardCrop == b.standardCrop
            && a.xPositions == b.xPositions && a.yPositions == b.yPositions && a.mask == b.mask && a.pixels == b.pixels
    }
}

/// Generates MoSI's stack of pseudo-motion clips (one per class) from one picture.
public struct MoSIGenerator: Sendable {
    public let configuration: MoSIConfiguration
    /// (dx, dy) per class, in label order: x-moving, then y-moving, then static.
    public let speeds: [(dx: Int, dy: Int)]

    public init(_ configuration: MoSIConfiguration = .init()) throws {
        try configuration.validate()
        self.configuration = configuration
        speeds = Self.speedSet(configuration.speedsPerAxis)
    }

    public var classCount: Int { speeds.count }

    /// The decoupled speed set in the official order: speeds with dx != 0, then dy != 0, then (0, 0).
    public static func speedSet(_ n: Int) -> [(dx: Int, dy: Int)] {
        let range = (0..<n).map { $0 - n / 2 }
        var all: [(Int, Int)] = []
        var zero = false
        for x in range {
            for y in range where x * y == 0 {
                if x == 0 && y == 0 { if zero { continue }; zero = true }
                all.append((x, y))
            }
        }
        return all.filter { $0.0 != 0 } + all.filter { $0.1 != 0 } + [(0, 0)]
    }

    /// The label of a speed, nil if it is not in the set.
    public func label(of speed: (dx: Int, dy: Int)) -> Int? {
        speeds.firstIndex { $0.dx == speed.dx && $0.dy == speed.dy }
    }

    /// The picture with its short side resized to the standard size (the long side truncated as
    /// `int(new / short * long)`), bilinear.
    public func standardise(_ picture: RGBPicture) throws -> RGBPicture {
        let s = configuration.standardSize
        let (w, h) = picture.height <= picture.width
            ? (Int(Double(s) / Double(picture.height) * Double(picture.width)), s)
            : (s, Int(Double(s) / Double(picture.width) * Double(picture.height)))
        guard w >= s, h >= s else { throw PretextError.inputTooSmall("picture \(picture.width)x\(picture.height) cannot be standardised to \(s)") }
        if w == picture.width && h == picture.height { return picture }
        return try picture.resized(width: w, height: h)
    }

    /// One clip per class from `picture`, in label order.
    public func generate(_ picture: RGBPicture, random: inout RandomGenerator) throws -> [MoSIClip] {
        let resized = try standardise(picture)
        var clips: [MoSIClip] = []
        for (label, speed) in speeds.enumerated() {
            clips.append(try clip(label: label, speed: speed, from: resized, random: &random))
        }
        return clips
    }

    /// The window positions along one axis of a side of length `length` (official `get_crop_params`
    /// followed by `linspace(start, end, T).long().clamp(0, L - crop)`).
    func positions(speed: Int, length: Int, random: inout RandomGenerator) -> [Int] {
        let c = configuration
        let factor = Double(speed) / Double(c.speedsPerAxis / 2)
        var jitter = 1.0
        if c.randomStart {
            jitter = abs(factor) < 1 ? random.uniform(c.distanceJitter.lowerBound, c.distanceJitter.upperBound)
                : random.uniform(c.distanceJitter.lowerBound, 1)
        }
        let span = Double(length - c.cropSize)
        let distance = span * factor * jitter
        let start: Double = c.randomStart
            ? Double(random.integer(Int(max(0, -distance)), Int(min(span, span - distance))))
            : ((span - distance) / 2).rounded(.down)
        let end = start + distance
        return (0..<c.frames).map { t in
            let v = start + (end - start) * Double(t) / Double(c.frames - 1)
            return min(Int(span), max(0, Int(v)))
        }
    }

    func clip(label: Int, speed: (dx: Int, dy: Int), from resized: RGBPicture, random: inout RandomGenerator) throws -> MoSIClip {
        let c = configuration, s = c.standardSize, k = c.cropSize, t = c.frames
        let flipped = c.flip.draw(&random)
        // A correct flip negates dx: generate the mirrored motion, so the flipped clip moves as labelled.
        let generated = flipped && c.flip.negatesHorizontalMotion ? (dx: -speed.dx, dy: speed.dy) : speed
        let standard = CropBox(x: random.integer(0, resized.width - s), y: random.integer(0, resized.height - s), width: s, height: s)
        var xs = positions(speed: generated.dx, length: s, random: &random)
        let ys = positions(speed: generated.dy, length: s, random: &random)
        let frameBytes = k * k * 3
        var pixels = [UInt8](repeating: 0, count: t * frameBytes)
        resized.pixels.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                for f in 0..<t {
                    for row in 0..<k {
                        let from = ((standard.y + ys[f] + row) * resized.width + standard.x + xs[f]) * 3
                        let to = f * frameBytes + row * k * 3
                        for i in 0..<(k * 3) { dst[to + i] = src[from + i] }
                    }
                }
            }
        }
        if let jitter = c.colorJitter {
            for f in 0..<t { jitter.apply(to: &pixels, offset: f * frameBytes, count: frameBytes, random: &random) }
        }
        if flipped {
            Bilinear.flipRows(&pixels, width: k, height: k * t, channels: 3)
            xs = xs.map { (s - k) - $0 }
        }
        var mask: StaticMask?
        if let ratio = c.staticMaskRatio {
            let still = random.integer(0, t - 1)
            let r = random.uniform(ratio.lowerBound, ratio.upperBound)
            let mw = Int(Double(k) * r), mh = Int(Double(k) * r)
            let box = CropBox(x: random.integer(0, k - mw), y: random.integer(0, k - mh), width: mw, height: mh)
            mask = StaticMask(frame: still, box: box)
            Self.applyStaticMask(&pixels, frames: t, side: k, mask: StaticMask(frame: still, box: box))
        }
        return MoSIClip(label: label, generatedSpeed: generated, flipped: flipped, standardCrop: standard,
                        xPositions: xs, yPositions: ys, mask: mask, pixels: pixels)
    }

    /// Every frame becomes frame `mask.frame`, except inside `mask.box` where the moving content stays.
    static func applyStaticMask(_ pixels: inout [UInt8], frames: Int, side: Int, mask: StaticMask) {
        let frameBytes = side * side * 3
        let still = Array(pixels[(mask.frame * frameBytes)..<((mask.frame + 1) * frameBytes)])
        pixels.withUnsafeMutableBufferPointer { p in
            for f in 0..<frames where f != mask.frame {
                for y in 0..<side {
                    let inRows = y >= mask.box.y && y < mask.box.y + mask.box.height
                    for x in 0..<side where !(inRows && x >= mask.box.x && x < mask.box.x + mask.box.width) {
                        let i = (y * side + x) * 3
                        p[f * frameBytes + i] = still[i]
                        p[f * frameBytes + i + 1] = still[i + 1]
                        p[f * frameBytes + i + 2] = still[i + 2]
                    }
                }
            }
        }
    }
}
