import VidiRandom

/// RDE's self-correction input: a binary mask made deliberately imperfect, as a propagated mask would be.
/// A target IoU is drawn from U[`minimumIoU`, 1]; the mask is then dilated or eroded (one choice per
/// call, by a 3x3 square per pass, as OpenCV's `dilate`/`erode` with a 3x3 kernel) until its IoU with
/// the original falls below the target, for at most `maxPasses` passes. So every changed pixel lies
/// within `maxPasses` pixels (Chebyshev distance) of the original boundary, and the same generator state
/// always gives the same mask. Erosion never removes an object completely: when the next pass would
/// empty it, the perturbation stops there (an empty memory mask teaches nothing).
public struct MaskPerturbation: Sendable, Equatable {
    public var minimumIoU: Double
    public var maxPasses: Int

    public init(minimumIoU: Double = 0.85, maxPasses: Int = 4) {
        self.minimumIoU = minimumIoU
        self.maxPasses = maxPasses
    }

    /// The perturbed `mask` (`width x height`, row-major) and the target IoU that was drawn.
    public func perturb(_ mask: [Bool], width: Int, height: Int,
                        generator: inout RandomGenerator) -> (mask: [Bool], targetIoU: Double) {
        let target = minimumIoU + (1 - minimumIoU) * generator.nextUniformDouble()
        let grow = generator.nextIndex(below: 2) == 1
        guard mask.count == width * height, mask.contains(true) else { return (mask, target) }
        var current = mask
        for _ in 0..<maxPasses {
            guard DavisMeasures.jaccard(mask, current) >= target else { break }
            let next = Self.pass(current, width: width, height: height, dilate: grow)
            if !next.contains(true) { break }
            current = next
        }
        return (current, target)
    }

    /// One 3x3 dilation (any neighbour set) or erosion (all neighbours set; outside the frame counts as
    /// unset, as a border-constant erosion would have it).
    static func pass(_ mask: [Bool], width: Int, height: Int, dilate: Bool) -> [Bool] {
        var out = mask
        for y in 0..<height {
            for x in 0..<width {
                var any = false, all = true
                for dy in -1...1 {
                    for dx in -1...1 {
                        let (ny, nx) = (y + dy, x + dx)
                        let set = ny >= 0 && ny < height && nx >= 0 && nx < width && mask[ny * width + nx]
                        any = any || set
                        all = all && set
                    }
                }
                out[y * width + x] = dilate ? any : all
            }
        }
        return out
    }
}
