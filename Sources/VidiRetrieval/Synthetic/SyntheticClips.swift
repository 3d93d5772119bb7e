import VidiRandom

/// Seeded synthetic captioned clips for training and demonstrating the retrieval model without any
/// download: a shape of one colour and texture moving over a noisy background, captioned the way a person
/// would ("a red striped square moves to the left"). Same seed, same clips, byte for byte.
public struct SyntheticClip: Sendable, Equatable {
    public var caption: String
    public var colour: String, texture: String, shape: String, motion: String
    /// `frames` pictures of `size` x `size` RGB bytes.
    public var frames: [[UInt8]]
    public var size: Int
}

public enum SyntheticClips {
    public static let colours: [(String, (Float, Float, Float))] = [
        ("red", (220, 30, 30)), ("green", (30, 200, 40)), ("blue", (40, 60, 230)),
        ("yellow", (235, 220, 30)), ("white", (240, 240, 240)), ("purple", (150, 40, 200)),
    ]
    public static let shapes = ["square", "circle", "triangle"]
    public static let textures = ["plain", "striped", "dotted"]
    public static let motions = ["moves to the left", "moves to the right", "moves up", "moves down", "stays still"]

    /// The caption of an attribute combination ("plain" is not said).
    public static func caption(colour: String, texture: String, shape: String, motion: String) -> String {
        "a \(colour) \(texture == "plain" ? "" : texture + " ")\(shape) \(motion)"
    }

    /// Clip `index` of the set drawn with `seed`: attributes, start position, speed, size and noise.
    public static func clip(seed: UInt64, index: Int, frames: Int = 12, size: Int = 64) -> SyntheticClip {
        var g = RandomGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(index))
        func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * g.nextUniform() }
        func pick<T>(_ items: [T]) -> T { items[Int(g.nextUniform() * Float(items.count)) % items.count] }
        let (colour, rgb) = pick(colours)
        let shape = pick(shapes), texture = pick(textures), motion = pick(motions)
        let s = Float(size)
        let radius = uniform(0.13, 0.2) * s
        let travel = uniform(0.35, 0.5) * s
        var (dx, dy): (Float, Float) = (0, 0)
        switch motion {
        case "moves to the left": dx = -travel
        case "moves to the right": dx = travel
        case "moves up": dy = -travel
        case "moves down": dy = travel
        default: break
        }
        let cx0 = s / 2 - dx / 2 + uniform(-0.08, 0.08) * s, cy0 = s / 2 - dy / 2 + uniform(-0.08, 0.08) * s
        let background = (uniform(10, 60), uniform(10, 60), uniform(10, 60))
        let phase = uniform(0, 6)
        var pictures: [[UInt8]] = []
        for f in 0..<frames {
            let t = frames > 1 ? Float(f) / Float(frames - 1) : 0
            let cx = cx0 + dx * t, cy = cy0 + dy * t
            var pixels = [UInt8](repeating: 0, count: size * size * 3)
            for y in 0..<size {
                for x in 0..<size {
                    let px = Float(x) + 0.5 - cx, py = Float(y) + 0.5 - cy
                    let inside: Bool
                    switch shape {
                    case "square": inside = abs(px) <= radius && abs(py) <= radius
                    case "circle": inside = px * px + py * py <= radius * radius
                    default: inside = py <= radius && py >= -radius && abs(px) <= (py + radius) / 2
                    }
                    var c = background
                    if inside {
                        var shade: Float = 1
                        if texture == "striped", Int(((Float(y) + phase) / 3).rounded(.down)) % 2 == 0 { shade = 0.35 }
                        if texture == "dotted", Int(Float(x) + phase) % 5 < 2, Int(Float(y) + phase) % 5 < 2 { shade = 0.3 }
                        c = (rgb.0 * shade, rgb.1 * shade, rgb.2 * shade)
                    }
                    let noise = uniform(-8, 8)
                    let k = (y * size + x) * 3
                    pixels[k] = UInt8(clamping: Int((c.0 + noise).rounded()))
                    pixels[k + 1] = UInt8(clamping: Int((c.1 + noise).rounded()))
                    pixels[k + 2] = UInt8(clamping: Int((c.2 + noise).rounded()))
                }
            }
            pictures.append(pixels)
        }
        return SyntheticClip(caption: caption(colour: colour, texture: texture, shape: shape, motion: motion),
                             colour: colour, texture: texture, shape: shape, motion: motion, frames: pictures, size: size)
    }
}
