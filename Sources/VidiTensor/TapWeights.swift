/// Convolution weights `[C_out, C_in/groups, taps]` regrouped as `[groups, taps, cog, cig]`: one row-major
/// matrix per kernel tap, the operand the per-tap GEMMs of the shifted and temporal kernels read (and the
/// layout their weight gradients accumulate in before regrouping back).
enum TapWeights {
    static func byteCount(_ g: ConvGeometry) -> Int {
        g.groups * g.kernelVolume * g.outChannelsPerGroup * g.inChannelsPerGroup * MemoryLayout<Float>.size
    }

    /// Regroups `source` into per-tap matrices (`toTaps`), or per-tap matrices back into the weight layout.
    static func regroup(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, _ g: ConvGeometry, toTaps: Bool) {
        let (cig, cog, taps) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.kernelVolume)
        for group in 0..<g.groups {
            for co in 0..<cog {
                for ci in 0..<cig {
                    for tap in 0..<taps {
                        let convOffset = ((group * cog + co) * cig + ci) * taps + tap
                        let tapOffset = ((group * taps + tap) * cog + co) * cig + ci
                        if toTaps { destination[tapOffset] = source[convOffset] } else { destination[convOffset] = source[tapOffset] }
                    }
                }
            }
        }
    }
}

extension CPUKernels {
    /// `weight` regrouped per tap, kept with the weight's storage while the weight is unchanged (the
    /// storage's write count; see `TensorStorage.derived`).
    static func weightsPerTap(_ weight: Tensor, _ g: ConvGeometry) -> TensorStorage {
        let key = [DerivedKind.weightsPerTap, weight.offset, g.groups, g.outChannelsPerGroup, g.inChannelsPerGroup, g.kernelVolume]
        return weight.storage.derived(key: key, byteCount: TapWeights.byteCount(g)) { bytes in
            TapWeights.regroup(weight.typedPointer(Float.self), into: bytes.assumingMemoryBound(to: Float.self), g, toTaps: true)
        }
    }
}
