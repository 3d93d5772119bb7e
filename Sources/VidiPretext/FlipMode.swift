/// How a sampler mirrors its clips left to right.
public enum FlipMode: String, Sendable, Equatable, CaseIterable, Codable {
    /// Never.
    case off
    /// Every clip, with the horizontal motion negated so labels and maps stay true.
    case on
    /// Each clip with probability 0.5, with the horizontal motion negated (labels and maps stay true).
    case random
    /// Each clip with probability 0.5, as the official code does it: pixels (and maps) mirrored, but the
    /// label kept and motion maps' dx not negated, so the sign of x-motion becomes ambiguous.
    case official

    func draw(_ random: inout RandomGenerator) -> Bool {
        switch self {
        case .off: return false
        case .on: return true
        case .random, .official: return random.chance(0.5)
        }
    }

    /// Whether a flipped clip's horizontal motion is negated (false only for `.official`).
    var negatesHorizontalMotion: Bool { self != .official }
}

import VidiRandom
