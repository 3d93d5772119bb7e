import Foundation
import Testing
@testable import VidiLocalization
import VidiTensor

/// RCL's query mixture options (RCL.md, "Query mixture"): added uniform (start, end) queries and fragments
/// anchored at a true boundary, against the shares and distributions the documentation states.
@Suite struct QueryMixtureTests {
    static func video() throws -> GridVideo {
        var video = try GridVideo(features: Tensor.zeros([64, 2]), gridLength: 64)
        video.truths = [(4, 12, 0), (30, 50, 1)]
        return video
    }

    /// The added queries come after the scale-invariant ones, which stay exactly those drawn without them; their
    /// lengths follow the distance of two uniform points of [0, T]: density 2(T − l)/T², so mean T/3 and
    /// P(l > T/2) = 1/4 (closed forms; 20,000 draws, standard errors about 0.1 step and 0.003).
    @Test func uniformQueriesAreAppendedPairsOfUniformPoints() throws {
        let video = try Self.video()
        var g1 = RandomGenerator(seed: 5), g2 = RandomGenerator(seed: 5)
        let plain = RCL.sampleQueries(video, count: 96, sampling: .scaleInvariant, generator: &g1)
        let mixed = RCL.sampleQueries(video, count: 96, sampling: .scaleInvariant, uniformExtra: 32, generator: &g2)
        #expect(mixed.count == 128)
        #expect(zip(plain, mixed.prefix(96)).allSatisfy { $0 == $1 })

        var g = RandomGenerator(seed: 6)
        let extra = RCL.sampleQueries(video, count: 0, sampling: .scaleInvariant, uniformExtra: 20_000, generator: &g)
        let lengths = extra.map { $0.1 - $0.0 }
        let mean = lengths.reduce(0, +) / Double(lengths.count)
        let long = Double(lengths.filter { $0 > 32 }.count) / Double(lengths.count)
        #expect(abs(mean - 64.0 / 3) < 0.5)
        #expect(abs(long - 0.25) < 0.015)
        #expect(extra.allSatisfy { $0.0 >= 0 && $0.1 <= 64 && $0.1 - $0.0 >= 0.3 - 1e-9 })
    }

    /// With anchored parts, every other fragment slot (q % 16 == 14: 50 of 800 queries) shares its start or
    /// its end with an action and covers 20–80 % of it; without the option no query shares a boundary exactly
    /// (the other draws are continuous), and the queries before the first such slot are unchanged.
    @Test func anchoredPartsShareOneBoundary() throws {
        let video = try Self.video()
        func draw(_ anchored: Bool) -> [(Double, Double)] {
            var g = RandomGenerator(seed: 12)
            return RCL.sampleQueries(video, count: 800, sampling: .scaleInvariant, anchoredParts: anchored, generator: &g)
        }
        func anchoredPart(_ q: (Double, Double)) -> Bool {
            video.truths.contains { t in
                let share = (q.1 - q.0) / (t.end - t.start)
                return (abs(q.0 - t.start) < 1e-9 || abs(q.1 - t.end) < 1e-9) && share >= 0.2 - 1e-9 && share <= 0.8 + 1e-9
            }
        }
        let with = draw(true), without = draw(false)
        #expect(with.filter(anchoredPart).count == 50)
        #expect(with.enumerated().filter { $0.offset % 16 == 14 }.allSatisfy { anchoredPart($0.element) })
        #expect(without.filter(anchoredPart).isEmpty)
        #expect(zip(with.prefix(14), without.prefix(14)).allSatisfy { $0 == $1 })
    }
}
