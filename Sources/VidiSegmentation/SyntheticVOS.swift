import Foundation
import VidiRandom

/// Seeded synthetic VOS sequences: textured shapes (ellipses, boxes, diamonds, blobs) that move, scale,
/// rotate, occlude each other and may leave the frame, over a textured background that drifts, plus
/// unlabelled look-alike distractors (same shape and texture as a target, a different path). Frame `t` is a
/// pure function of the sequence plan and `t`, so any frame renders without the ones before it and a long
/// video never sits in memory.
public struct SyntheticVOSOptions: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var frames: Int
    /// Labelled objects per sequence, drawn from this range.
    public var objects: ClosedRange<Int>
    /// Unlabelled look-alikes per sequence (each copies a random target's appearance).
    public var distractors: Int

    public init(width: Int = 480, height: Int = 272, frames: Int = 40, objects: ClosedRange<Int> = 1...3,
                distractors: Int = 0) {
        self.width = width
        self.height = height
        self.frames = frames
        self.objects = objects
        self.distractors = distractors
    }

    public func validate() throws(SegmentationError) {
        guard (16...4096).contains(width), (16...4096).contains(height) else {
            throw SegmentationError(.invalidArgument, "synthetic frames must be 16...4096 pixels a side, got \(width)x\(height)")
        }
        guard frames >= 1 else { throw SegmentationError(.invalidArgument, "frames must be >= 1, got \(frames)") }
        guard objects.lowerBound >= 1, objects.upperBound <= 20 else {
            throw SegmentationError(.invalidArgument, "objects must be within 1...20, got \(objects)")
        }
        guard (0...20).contains(distractors) else {
            throw SegmentationError(.invalidArgument, "distractors must be 0...20, got \(distractors)")
        }
    }
}

/// One sequence's plan: what is drawn and how it moves.
public struct SyntheticVOSSequence: Sendable {
    public enum Shape: Int, Sendable, CaseIterable { case ellipse, box, diamond, blob }

    /// One drawn layer (a target or a distractor).
    struct Layer: Sendable {
        var shape: Shape
        var label: UInt8             // object id, 0 for a distractor
        var start: (Double, Double)  // centre at t = 0, pixels
        var velocity: (Double, Double)
        var wobble: (amplitude: Double, frequency: Double, phase: Double)
        var radius: (Double, Double)
        var scaleRate: Double        // relative size change per frame (sinusoidal)
        var scalePhase: Double
        var spin: Double             // radians per frame
        var angle: Double
        var colors: ((Double, Double, Double), (Double, Double, Double))
        var stripe: (frequency: Double, angle: Double)
        var lobes: Int
    }

    public let options: SyntheticVOSOptions
    /// Labelled objects (ids 1...objectCount).
    public let objectCount: Int
    var layers: [Layer]   // bottom to top
    var background: (a: (Double, Double, Double), b: (Double, Double, Double), frequency: (Double, Double),
                     velocity: (Double, Double), grain: UInt64)

    /// Draws the plan of sequence `index` from `seed` (the same pair always gives the same sequence).
    public init(options: SyntheticVOSOptions, seed: UInt64, index: Int) throws(SegmentationError) {
        try options.validate()
        self.options = options
        var rng = RandomGenerator(seed: seed &* 0x9E37_79B9 &+ UInt64(index) &* 7919 &+ 1)
        func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * rng.nextUniformDouble() }
        func color() -> (Double, Double, Double) { (uniform(0, 255), uniform(0, 255), uniform(0, 255)) }
        let (w, h) = (Double(options.width), Double(options.height))
        let span = options.objects.upperBound - options.objects.lowerBound + 1
        objectCount = options.objects.lowerBound + Int(rng.nextUniformDouble() * Double(span))
        let side = min(w, h)
        func layer(label: UInt8) -> Layer {
            let speed = side / Double(max(options.frames, 20)) * uniform(0.3, 1.6)
            let heading = uniform(0, 2 * .pi)
            return Layer(
                shape: Shape(rawValue: Int(rng.nextUniformDouble() * 4)) ?? .ellipse, label: label,
                start: (uniform(0.2, 0.8) * w, uniform(0.2, 0.8) * h),
                velocity: (speed * cos(heading), speed * sin(heading)),
                wobble: (uniform(0, 0.08) * side, uniform(0.05, 0.3), uniform(0, 2 * .pi)),
                radius: (uniform(0.08, 0.2) * side, uniform(0.08, 0.2) * side),
                scaleRate: uniform(0, 0.3), scalePhase: uniform(0, 2 * .pi),
                spin: uniform(-0.05, 0.05), angle: uniform(0, 2 * .pi),
                colors: (color(), color()), stripe: (uniform(2, 6), uniform(0, .pi)),
                lobes: 3 + Int(rng.nextUniformDouble() * 4))
        }
        let targets = (1...objectCount).map { layer(label: UInt8($0)) }
        var distractorLayers: [Layer] = []
        for _ in 0..<options.distractors {
            let model = targets[Int(rng.nextUniformDouble() * Double(objectCount))]
            var copy = layer(label: 0)
            copy.shape = model.shape
            copy.colors = model.colors
            copy.stripe = model.stripe
            copy.lobes = model.lobes
            copy.radius = (model.radius.0 * uniform(0.85, 1.15), model.radius.1 * uniform(0.85, 1.15))
            distractorLayers.append(copy)
        }
        // Random depth order: targets and distractors interleave, so each can hide the others.
        var all = targets + distractorLayers
        for i in stride(from: all.count - 1, to: 0, by: -1) {
            all.swapAt(i, Int(rng.nextUniformDouble() * Double(i + 1)))
        }
        layers = all
        background = (color(), color(), (uniform(0.01, 0.06), uniform(0.01, 0.06)),
                      (uniform(-1.5, 1.5), uniform(-1.5, 1.5)), rng.next())
    }

    /// Frame `t`: RGB24 pixels (height x width x 3) and the label mask (object id, 0 background).
    public func render(frame t: Int) -> (rgb: [UInt8], mask: LabelMask) {
        let (w, h) = (options.width, options.height)
        var rgb = [UInt8](repeating: 0, count: w * h * 3)
        var mask = LabelMask(width: w, height: h)
        let time = Double(t)
        let bg = background
        for y in 0..<h {
            for x in 0..<w {
                let u = Double(x) + bg.velocity.0 * time, v = Double(y) + bg.velocity.1 * time
                let s = 0.5 + 0.25 * sin(u * bg.frequency.0) + 0.25 * sin(v * bg.frequency.1 + u * 0.013)
                let grain = Double(Self.hash(bg.grain, Int(u.rounded(.down)), Int(v.rounded(.down))) % 41) - 20
                let i = (y * w + x) * 3
                rgb[i] = Self.clamp(bg.a.0 * s + bg.b.0 * (1 - s) + grain)
                rgb[i + 1] = Self.clamp(bg.a.1 * s + bg.b.1 * (1 - s) + grain)
                rgb[i + 2] = Self.clamp(bg.a.2 * s + bg.b.2 * (1 - s) + grain)
            }
        }
        for layer in layers { draw(layer, at: time, rgb: &rgb, mask: &mask) }
        return (rgb, mask)
    }

    private func draw(_ layer: Layer, at time: Double, rgb: inout [UInt8], mask: inout LabelMask) {
        let (w, h) = (options.width, options.height)
        let wobble = layer.wobble.amplitude * sin(layer.wobble.frequency * time + layer.wobble.phase)
        let cx = layer.start.0 + layer.velocity.0 * time + wobble
        let cy = layer.start.1 + layer.velocity.1 * time + wobble * 0.5
        let scale = 1 + layer.scaleRate * sin(0.1 * time + layer.scalePhase)
        let (rx, ry) = (layer.radius.0 * scale, layer.radius.1 * scale)
        let angle = layer.angle + layer.spin * time
        let (c, s) = (cos(angle), sin(angle))
        let reach = 1.3 * max(rx, ry)
        let x0 = max(Int((cx - reach).rounded(.down)), 0), x1 = min(Int((cx + reach).rounded(.up)), w - 1)
        let y0 = max(Int((cy - reach).rounded(.down)), 0), y1 = min(Int((cy + reach).rounded(.up)), h - 1)
        guard x0 <= x1, y0 <= y1 else { return }
        for y in y0...y1 {
            for x in x0...x1 {
                let dx = Double(x) + 0.5 - cx, dy = Double(y) + 0.5 - cy
                let u = (dx * c + dy * s) / rx, v = (-dx * s + dy * c) / ry
                guard inside(layer, u, v) else { continue }
                let phase = (u * cos(layer.stripe.angle) + v * sin(layer.stripe.angle)) * layer.stripe.frequency * .pi
                let (a, b) = layer.colors
                let pick = sin(phase) > 0
                let i = (y * w + x) * 3
                rgb[i] = Self.clamp(pick ? a.0 : b.0)
                rgb[i + 1] = Self.clamp(pick ? a.1 : b.1)
                rgb[i + 2] = Self.clamp(pick ? a.2 : b.2)
                mask.labels[y * w + x] = layer.label
            }
        }
    }

    private func inside(_ layer: Layer, _ u: Double, _ v: Double) -> Bool {
        switch layer.shape {
        case .ellipse: return u * u + v * v <= 1
        case .box: return abs(u) <= 0.85 && abs(v) <= 0.85
        case .diamond: return abs(u) + abs(v) <= 1.1
        case .blob:
            let r = (u * u + v * v).squareRoot()
            return r <= 0.8 + 0.25 * sin(Double(layer.lobes) * atan2(v, u))
        }
    }

    static func clamp(_ value: Double) -> UInt8 { UInt8(max(0, min(255, value.rounded()))) }

    /// A small integer hash for the background grain (stable across platforms).
    static func hash(_ seed: UInt64, _ x: Int, _ y: Int) -> UInt64 {
        var z = seed ^ (UInt64(bitPattern: Int64(x)) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(bitPattern: Int64(y)) &* 0xC2B2_AE3D_27D4_EB4F)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
