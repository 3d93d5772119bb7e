import Testing
import VidiRetrieval
import VidiTensor
import VidiTestSupport

struct MetricsTests {
    /// Hand-checked: row 0 ranks its match first, row 1 third, row 2 second, row 3 first.
    @Test func handCheckedRanks() throws {
        let sim: [Float] = [
            0.9, 0.1, 0.2, 0.3,
            0.8, 0.5, 0.7, 0.1,
            0.1, 0.9, 0.6, 0.2,
            0.0, 0.1, 0.2, 0.4,
        ]
        let m = try RetrievalMetrics(similarity: sim, rows: 4, columns: 4)
        #expect(m.ranks == [0, 2, 1, 0])
        #expect(m.r1 == 50)
        #expect(m.r5 == 100)
        #expect(m.medianRank == 1.5)      // median of 0-based [0, 0, 1, 2] is 0.5, plus 1
        #expect(m.meanRank == 1.75)
        // Video-to-text on the transpose: column 0 → its match first; column 1: 0.5 below 0.9 → second; ...
        let both = try RetrievalMetrics.both(similarity: sim, texts: 4, videos: 4)
        #expect(both.v2t.ranks == [0, 1, 1, 0])
    }

    /// A tie between the match and two others yields three rank entries (DRL's `np.where` over the sorted row).
    @Test func tiesCountEveryTiedPosition() throws {
        let sim: [Float] = [
            0.5, 0.5, 0.5,
            0.0, 1.0, 0.0,
            0.3, 0.2, 0.1,
        ]
        let m = try RetrievalMetrics(similarity: sim, rows: 3, columns: 3)
        #expect(m.ranks == [0, 1, 2, 0, 2])
        #expect(m.r1 == 40)
        #expect(m.medianRank == 2)
        #expect(m.meanRank == 2)
    }

    /// Expected: DRL's `compute_metrics` re-implemented in NumPy (`Tools/goldens/make_retrieval_goldens.py`).
    @Test func matchesDRLComputeMetricsWithTies() throws {
        let sim = try Golden.tensor("retrieval/metrics_sim")
        let (t2v, v2t) = try RetrievalMetrics.both(similarity: sim.scalars, texts: 12, videos: 12)
        for (metrics, name) in [(t2v, "t2v"), (v2t, "v2t")] {
            let expected = try Golden.tensor("retrieval/metrics_\(name)").scalars.map(Double.init)
            let actual = [metrics.r1, metrics.r5, metrics.r10, metrics.medianRank, metrics.meanRank]
            for (a, e) in zip(actual, expected) { #expect(abs(a - e) < 1e-4, "\(name): \(actual) vs \(expected)") }
        }
    }

    @Test func rejectsBadShapes() {
        #expect(throws: RetrievalError.self) { try RetrievalMetrics(similarity: [1, 2, 3], rows: 2, columns: 2) }
        #expect(throws: RetrievalError.self) { try RetrievalMetrics(similarity: [1, 2], rows: 2, columns: 1) }
    }
}
