/// The PASCAL VOC colour map that DAVIS masks use (index 1 red, 2 green, 3 yellow, ...), as the DAVIS 2017
/// evaluation's `utils.color_map` builds it: bit j of the index's 3-bit groups sets bit 7 - j of R, G, B.
public enum DavisPalette {
    public static let colors: [(UInt8, UInt8, UInt8)] = (0..<256).map { index in
        var r = 0, g = 0, b = 0, c = index
        for j in 0..<8 {
            r |= (c & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        }
        return (UInt8(r), UInt8(g), UInt8(b))
    }
}
