import Testing
@testable import VidiTensor

/// Half and bfloat16 upcasts. Reference: the standard library's `Float16` conversion (all 65536 bit
/// patterns) and, for bfloat16, its definition as the top half of a Float32; the numpy/torch-made
/// fixtures in SafetensorsFormatTests cover both types through files as well.
@Suite struct TensorIOHalfPrecisionTests {
    #if !(os(macOS) && arch(x86_64))
    @Test func everyHalfBitPatternMatchesFloat16() {
        for bits in UInt16.min...UInt16.max {
            let ours = HalfPrecision.float(fromHalfBits: bits)
            let reference = Float(Float16(bitPattern: bits))
            if reference.isNaN {
                // Hardware conversion quiets signalling NaNs; ours keeps the payload bit for bit, like numpy.
                #expect(ours.isNaN && ours.sign == reference.sign, "\(bits)")
                #expect(ours.bitPattern & 0x003F_FFFF == reference.bitPattern & 0x003F_FFFF, "\(bits)")
            } else {
                #expect(ours.bitPattern == reference.bitPattern, "\(bits)")
            }
        }
    }
    #endif

    @Test func bfloat16IsTheHighHalfOfAFloat() {
        for value: Float in [0, -0, 1, -2.5, .infinity, -.infinity, .greatestFiniteMagnitude, 3.140625] {
            let high = UInt16(value.bitPattern >> 16)
            #expect(HalfPrecision.float(fromBFloat16Bits: high).bitPattern == value.bitPattern & 0xFFFF_0000)
        }
    }

    @Test func bufferConversionHandlesUnalignedInput() {
        // 1.0 (0x3C00) and -2.0 (0xC000) as little-endian halves, starting at an odd address.
        let bytes: [UInt8] = [0xAA, 0x00, 0x3C, 0x00, 0xC0]
        var out = [Float](repeating: 0, count: 2)
        bytes.withUnsafeBytes { raw in
            out.withUnsafeMutableBufferPointer { HalfPrecision.convert(UnsafeRawBufferPointer(rebasing: raw[1...]), bfloat: false, into: $0) }
        }
        #expect(out == [1, -2])
    }
}
