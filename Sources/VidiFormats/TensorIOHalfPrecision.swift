/// IEEE half (F16) and bfloat16 (BF16) to Float32, bit by bit.
///
/// Done by hand rather than with `Float16` because that type is missing on some platforms (Intel macOS);
/// both conversions are exact (every F16 and BF16 value is a Float32 value), NaN payloads kept.
package enum HalfPrecision {
    package static func float(fromHalfBits h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1F
        let mantissa = UInt32(h) & 0x3FF
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa * 2^-24, exact in Float32.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)  // infinity or NaN
        default:
            return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
        }
    }

    package static func float(fromBFloat16Bits b: UInt16) -> Float {
        Float(bitPattern: UInt32(b) << 16)
    }

    /// Converts little-endian 16-bit values in `source` (any alignment) into `destination`.
    package static func convert(_ source: UnsafeRawBufferPointer, bfloat: Bool, into destination: UnsafeMutableBufferPointer<Float>) {
        let count = min(source.count / 2, destination.count)
        guard let base = source.baseAddress, let out = destination.baseAddress else { return }
        if bfloat {
            for i in 0..<count {
                out[i] = float(fromBFloat16Bits: UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        } else {
            for i in 0..<count {
                out[i] = float(fromHalfBits: UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        }
    }
}
