import Testing
import VidiLocalization
import VidiTensor

/// The synthetic benchmark's promises: seeded, durations within 1–80 % of the video, no overlaps.
@Suite struct SyntheticBenchmarkTests {
    @Test func seededAndWithinSpec() throws {
        let bench = try SyntheticBenchmark()
        let a = bench.videos(0..<40, subset: "training"), b = bench.videos(0..<40, subset: "training")
        for (x, y) in zip(a, b) {
            #expect(x.features.scalars == y.features.scalars)
            #expect(x.annotations == y.annotations)
        }
        var fractions: [Double] = []
        for v in a {
            #expect((96...384).contains(v.length))
            #expect(!v.annotations.isEmpty)
            for (i, s) in v.annotations.enumerated() {
                let f = (s.end - s.start) / Double(v.length)
                fractions.append(f)
                #expect(f >= 0.01 - 1e-9 && f <= 0.8 + 1e-9)
                if i > 0 { #expect(s.start >= v.annotations[i - 1].end) }
            }
        }
        #expect(fractions.min()! < 0.03 && fractions.max()! > 0.3)
        #expect(throws: LocalizationError.self) { var c = SyntheticBenchmark.Configuration(); c.classes = 0; _ = try SyntheticBenchmark(c) }
    }
}
