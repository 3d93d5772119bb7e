import VidiRandom

/// The seeded augmentation of a training clip, drawn once per clip so all its frames change alike (as
/// STCN's `vos_dataset.py` shares one draw across a clip for the photometric part): a left-right mirror
/// with probability 1/2, then brightness and contrast jitter, pixel' = (pixel - 128) x c + 128 + b with
/// c in U[1 - contrast, 1 + contrast] and b in U[-brightness, brightness] (in 0...255 units), clamped.
public struct VOSClipAugmentation: Sendable, Equatable {
    public var brightness: Float = 12
    public var contrast: Float = 0.1

    public init() {}

    public func apply(to clip: inout VOSClip, generator: inout RandomGenerator) {
        if generator.nextIndex(below: 2) == 1 {
            for i in clip.frames.indices { Self.mirror(&clip.frames[i], &clip.masks[i]) }
        }
        let c = 1 + contrast * (2 * generator.nextUniform() - 1)
        let b = brightness * (2 * generator.nextUniform() - 1)
        for i in clip.frames.indices {
            for p in clip.frames[i].indices {
                let value = (Float(clip.frames[i][p]) - 128) * c + 128 + b
                clip.frames[i][p] = UInt8(min(max(value.rounded(), 0), 255))
            }
        }
    }

    static func mirror(_ rgb: inout [UInt8], _ mask: inout LabelMask) {
        let (w, h) = (mask.width, mask.height)
        for y in 0..<h {
            for x in 0..<(w / 2) {
                let a = y * w + x, b = y * w + (w - 1 - x)
                mask.labels.swapAt(a, b)
                for c in 0..<3 { rgb.swapAt(a * 3 + c, b * 3 + c) }
            }
        }
    }
}
