import VidiRandom

/// The few draws the samplers make, written out so a Python port can follow them.
extension RandomGenerator {
    /// Uniform integer in `low...high` (inclusive, like Python's `random.randint`); `low` when high < low.
    mutating func integer(_ low: Int, _ high: Int) -> Int {
        high <= low ? low : low + nextIndex(below: high - low + 1)
    }

    /// Uniform in [low, high).
    mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * nextUniformDouble()
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool {
        nextUniformDouble() < p
    }
}
